// A quiz: its questions are in the page (never their answers); graded on the server, feedback shown in place.
// Plain form controls, so it works with the keyboard and a screen reader.
(function () {
  "use strict";

  const { csrfToken } = window.platform;

  async function call(url, body) {
    const response = await fetch(url, {
      method: body ? "POST" : "GET",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: body ? JSON.stringify(body) : undefined,
    });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    return { ok: response.ok, status: response.status, data };
  }

  function el(tag, attrs = {}, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === "html") node.innerHTML = v; // server-rendered and sanitised
      else if (k === "class") node.className = v;
      else node.setAttribute(k, v);
    }
    node.append(...children.filter((c) => c !== null && c !== undefined));
    return node;
  }

  // An option that is only a formula gets no name from its label (browsers give MathML none): it is named by
  // the formula's symbols, read in order ("2 N ∑ i ( ŷ i − y i )"), so each choice can be told apart.
  function spokenName(node) {
    const copy = node.cloneNode(true);
    copy.querySelectorAll("annotation").forEach((a) => a.remove());
    const formulas = [...copy.querySelectorAll("math")];
    if (!formulas.length) return "";
    for (const math of formulas) {
      const symbols = [...math.querySelectorAll("mi, mn, mo, mtext, ms")].map((t) => t.textContent.trim()).filter(Boolean);
      math.replaceWith(" " + symbols.join(" ") + " ");
    }
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function shuffle(items) {
    for (let i = items.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [items[i], items[j]] = [items[j], items[i]];
    }
    return items;
  }

  // The questions are the page's own HTML (templates/quizzes/_quiz.html), there before this script: it checks
  // the answers, shows the feedback in place and the reader's attempts in the room kept for them.
  class Quiz {
    constructor(root) {
      this.root = root;
      this.api = root.dataset.quizApi;
      this.form = root.querySelector("form.quiz");
      this.summary = this.form.querySelector(".quiz-summary");
      this.error = this.form.querySelector(".form-error");
      this.submitButton = this.form.querySelector("button[type=submit]");
      this.signIn = this.form.querySelector("[data-quiz-sign-in]");
      this.attemptsLine = this.form.querySelector("[data-quiz-attempts]");
      this.max = Number(root.dataset.maxAttempts || 0);
      this.form.querySelectorAll("label[data-option] > span").forEach((text) => {
        const spoken = spokenName(text);
        if (spoken) text.parentElement.querySelector("input").setAttribute("aria-label", spoken);
      });
      this.form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(this.form); });
      if (this.max) this.loadAttempts(); // a quiz that counts attempts: the reader's, from the API
      else this.submitButton.disabled = false;
      // Answers not yet sent survive a reload (this tab only); a signed-in learner can reopen past attempts.
      this.draftKey = "quiz-draft:" + root.dataset.quiz;
      this.restoreDraft();
      this.form.addEventListener("input", () => this.saveDraft());
      this.form.addEventListener("change", () => this.saveDraft());
      window.platform.signedIn().then((member) => { if (member) this.loadHistory(); });
    }

    saveDraft() {
      if (this.attempt) return; // the answers on display are a graded attempt's, not a draft
      try { sessionStorage.setItem(this.draftKey, JSON.stringify(this.answers(this.form))); } catch { /* private mode */ }
    }

    restoreDraft() {
      let draft = null;
      try { draft = JSON.parse(sessionStorage.getItem(this.draftKey) || "null"); } catch { draft = null; }
      if (draft && typeof draft === "object") this.fillAnswers(draft);
    }

    // Puts answers (a draft, or a past attempt's `given`) back into the form's controls.
    fillAnswers(answers) {
      for (const [id, given] of Object.entries(answers)) {
        const box = this.form.querySelector(`[data-question="${CSS.escape(id)}"]`);
        if (!box || given === null || given === undefined) continue;
        const kind = box.dataset.kind;
        if (["single", "truefalse", "multiple"].includes(kind)) {
          const chosen = new Set([].concat(given).map(String));
          box.querySelectorAll(`input[name="answer-${id}"]`).forEach((input) => { input.checked = chosen.has(input.value); });
        } else if (kind === "matching" && typeof given === "object") {
          box.querySelectorAll("select").forEach((select) => { select.value = given[select.dataset.item] || ""; });
        } else if (kind === "cloze" && typeof given === "object") {
          box.querySelectorAll("[data-part]").forEach((control) => {
            const value = given[control.dataset.part];
            if (value === undefined || value === null) return;
            if (control.type === "radio" || control.type === "checkbox") control.checked = [].concat(value).map(String).includes(control.value);
            else control.value = String(value);
          });
        } else if (typeof given === "string") {
          const input = box.querySelector(`[name="answer-${id}"]`);
          if (input) input.value = given;
        }
      }
    }

    // The learner's attempts at this quiz, newest first, each one to reopen with its answers and feedback.
    async loadHistory() {
      const { ok, data } = await call(`/api/attempts/?quiz=${encodeURIComponent(this.root.dataset.quiz)}`);
      const attempts = ok ? (data.results || data) : [];
      this.history?.remove();
      if (!attempts.length) return;
      const list = el("ul");
      for (const attempt of attempts) {
        const review = el("button", { type: "button", class: "link-button" }, gettext("Review"));
        review.setAttribute("aria-label", interpolate(gettext("Review attempt %(n)s"), { n: attempt.number }, true));
        review.addEventListener("click", () => this.review(attempt.id));
        const when = new Date(attempt.created_at).toLocaleString(document.documentElement.lang || undefined, { dateStyle: "medium", timeStyle: "short" });
        list.append(el("li", {}, interpolate(gettext("Attempt %(n)s · %(percent)s%% · %(when)s"), { n: attempt.number, percent: attempt.percent, when }, true).replace("%%", "%") + " ", review));
      }
      this.history = el("details", { class: "quiz-history" }, el("summary", {}, interpolate(gettext("Your attempts (%(n)s)"), { n: attempts.length }, true)), list);
      this.root.append(this.history);
    }

    async review(id) {
      const { ok, data } = await call(`/api/attempts/${id}/`);
      if (!ok) return;
      this.again(false);
      this.fillAnswers(Object.fromEntries(data.questions.map((q) => [q.id, q.given])));
      this.show(data);
      this.form.scrollIntoView({ block: "start" });
    }

    async loadAttempts() {
      const { ok, data } = await call(this.api);
      if (!ok) { this.error.textContent = gettext("The quiz could not be loaded."); this.error.hidden = false; return; }
      this.showAttempts(data.attempts_left, data.sign_in_note);
    }

    // A signed-in learner sees how many attempts are left; anyone else the note that asks them to log in.
    showAttempts(left, signInNote) {
      if (!this.signIn) return;
      this.signIn.hidden = !signInNote;
      this.attemptsLine.hidden = Boolean(signInNote) || left === null || left === undefined;
      if (!this.attemptsLine.hidden) this.attemptsLine.textContent = interpolate(gettext("Attempts left: %(left)s of %(max)s"), { left, max: this.max }, true);
      this.submitButton.disabled = Boolean(signInNote);
    }

    // Try again: the same questions, cleared, in a fresh order where the quiz shuffles. `onlyMissed`: the
    // questions answered right keep their answers (and are not asked again); the others are cleared.
    again(focus = true, onlyMissed = false) {
      const right = new Set(onlyMissed && this.attempt ? this.attempt.questions.filter((q) => q.fraction === 1).map((q) => String(q.id)) : []);
      this.attempt = null;
      this.clearErrors();
      this.summary.hidden = true;
      this.summary.replaceChildren();
      this.error.hidden = true;
      delete this.root.dataset.score;
      const boxes = [...this.form.querySelectorAll("[data-question]")];
      for (const box of boxes) {
        box.classList.remove("graded-right", "graded-partial", "graded-wrong", "graded-manual", "kept");
        box.querySelector(".result").replaceChildren();
        if (right.has(box.dataset.question)) {
          box.classList.add("kept");
          box.querySelector(".result").append(el("p", { class: "muted small" }, gettext("Right last time: your answer is kept.")));
        }
        box.querySelectorAll("label[data-option]").forEach((label) => {
          label.classList.remove("correct", "wrong");
          label.querySelectorAll(".feedback, .mark").forEach((f) => f.remove());
        });
        if (this.root.hasAttribute("data-shuffle-options") && ["single", "multiple"].includes(box.dataset.kind)) {
          const list = box.querySelector(".options");
          list.append(...shuffle([...list.children]));
        }
      }
      if (this.root.hasAttribute("data-shuffle-questions") && boxes.length > 1) {
        const after = boxes[boxes.length - 1].nextSibling;
        const order = shuffle(boxes);
        order.forEach((box, i) => {
          this.form.insertBefore(box, after);
          box.querySelector("[data-number]").textContent = `${i + 1}. `;
        });
      }
      this.form.querySelectorAll("[data-question]").forEach((box) => {
        const kept = box.classList.contains("kept");
        box.querySelectorAll("input, select, textarea").forEach((input) => {
          input.disabled = kept;
          if (kept) return;
          if (input.type === "radio" || input.type === "checkbox") input.checked = false;
          else input.value = "";
        });
      });
      this.submitButton.hidden = false;
      const first = this.form.querySelector("input:not(:disabled), select:not(:disabled), textarea:not(:disabled)");
      if (first && focus) first.focus();
    }

    clearErrors() {
      this.error.hidden = true;
      this.form.querySelectorAll(".question-error").forEach((e) => e.remove());
      this.form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    }

    // A refusal: a question's problem beside that question, its field marked and focused; anything else above
    // the button. Only the words: never the error's code.
    showError(data, status) {
      this.clearErrors();
      const perQuestion = data && data.answers && typeof data.answers === "object" && !Array.isArray(data.answers) ? data.answers : data || {};
      let first = null;
      for (const [id, messages] of Object.entries(perQuestion)) {
        const box = this.form.querySelector(`[data-question="${CSS.escape(id)}"]`);
        if (!box || !Array.isArray(messages)) continue;
        const note = el("p", { class: "question-error", id: `q${id}-error`, role: "alert" }, messages.join(" "));
        box.querySelector("fieldset").after(note);
        box.querySelectorAll("input, select, textarea").forEach((input) => {
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", note.id);
        });
        first = first || box.querySelector("input, select, textarea");
      }
      if (!first) {
        const detail = data ? messages(data).join(" ") : "";
        this.error.textContent = detail || gettext("The answers could not be checked.") + ` (${status})`;
        this.error.hidden = false;
        this.error.setAttribute("tabindex", "-1");
        this.error.focus();
      } else first.focus();
    }

    answers(form) {
      const answers = {};
      for (const box of form.querySelectorAll("[data-question]")) {
        const id = box.dataset.question;
        const kind = box.dataset.kind;
        const name = `answer-${id}`;
        if (kind === "multiple") {
          answers[id] = [...box.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => Number(i.value));
        } else if (kind === "single" || kind === "truefalse") {
          const checked = box.querySelector(`input[name="${name}"]:checked`);
          if (checked) answers[id] = Number(checked.value);
        } else if (kind === "matching") {
          const pairs = {};
          box.querySelectorAll("select").forEach((s) => { if (s.value) pairs[s.dataset.item] = s.value; });
          answers[id] = pairs;
        } else if (kind === "cloze") {
          // Each gap's response by its number: a text, a chosen option's id, or the ids checked.
          const gaps = {};
          box.querySelectorAll("[data-part]").forEach((control) => {
            const part = control.dataset.part;
            if (control.type === "checkbox") {
              gaps[part] = gaps[part] || [];
              if (control.checked) gaps[part].push(Number(control.value));
            } else if (control.type === "radio") {
              if (control.checked) gaps[part] = Number(control.value);
            } else if (control.value.trim()) {
              gaps[part] = control.tagName === "SELECT" ? Number(control.value) : control.value.trim();
            }
          });
          answers[id] = gaps;
        } else if (kind !== "description") {
          const input = box.querySelector(`[name="${name}"]`);
          const unit = box.querySelector("select[data-unit]");  // a unit chosen from a menu goes with the number
          if (input && input.value.trim()) {
            const before = unit && unit.compareDocumentPosition(input) & Node.DOCUMENT_POSITION_FOLLOWING;
            answers[id] = unit ? (before ? unit.value + input.value.trim() : input.value.trim() + unit.value) : input.value.trim();
          }
        }
      }
      return answers;
    }

    async submit(form) {
      this.clearErrors();
      this.submitButton.disabled = true;
      const { ok, status, data } = await call(this.api + "attempts/", { answers: this.answers(form) });
      this.submitButton.disabled = false;
      if (!ok) {
        this.showError(data, status);
        return;
      }
      try { sessionStorage.removeItem(this.draftKey); } catch { /* private mode */ }
      this.show(data);
      if (data.id) this.loadHistory();
    }

    show(result) {
      this.attempt = result;
      const left = result.attempts_left;
      this.summary.replaceChildren(
        el("p", { class: "score" }, interpolate(gettext("Your score: %(percent)s%% (%(score)s / %(max)s)"), { percent: result.percent, score: round(result.score), max: round(result.max_score) }, true).replace("%%", "%")),
        el("p", { class: "muted" }, left === null || left === undefined ? gettext("You can try again as often as you like.") : interpolate(gettext("Attempts left: %(left)s"), { left }, true)),
      );
      if (result.review_note) this.summary.append(el("p", { class: "muted" }, result.review_note));
      if (left !== 0) {
        const again = el("button", { type: "button", class: "secondary" }, gettext("Try again"));
        again.addEventListener("click", () => this.again());
        this.summary.append(again);
        const missed = result.questions.filter((q) => q.fraction !== null && q.fraction < 1).length;
        if (missed && missed < result.questions.filter((q) => q.fraction !== null).length) {
          const retry = el("button", { type: "button", class: "secondary" }, interpolate(gettext("Retry the %(n)s I missed"), { n: missed }, true));
          retry.addEventListener("click", () => this.again(true, true));
          this.summary.append(" ", retry);
        }
      }
      this.summary.hidden = false;
      if (this.max && left !== null && left !== undefined) this.showAttempts(left, "");
      this.submitButton.hidden = true;
      this.form.querySelectorAll("input, select, textarea").forEach((i) => (i.disabled = true));
      for (const q of result.questions) this.showQuestion(q);
      this.summary.focus();
      this.root.dataset.score = String(result.percent);
    }

    showQuestion(q) {
      const box = this.form.querySelector(`[data-question="${q.id}"]`);
      if (!box) return;
      const out = box.querySelector(".result");
      out.replaceChildren();
      const state = q.fraction === null ? (q.kind === "essay" ? "manual" : null) : q.fraction === 1 ? "right" : q.fraction > 0 ? "partial" : "wrong";
      if (state) box.classList.add("graded-" + state);
      if (state && state !== "manual") {
        const label = { right: gettext("Right"), partial: gettext("Partly right"), wrong: gettext("Not right") }[state];
        out.append(el("p", {}, el("span", { class: "badge " + { right: "good", partial: "warn", wrong: "bad" }[state] }, label + (state === "partial" ? ` (${Math.round(q.fraction * 100)}%)` : ""))));
      }
      const right = new Set(q.correct_answers.map((a) => String(a.id)));
      box.querySelectorAll("label[data-option]").forEach((label) => {
        const id = label.dataset.option;
        const chosen = label.querySelector("input").checked;
        if (right.has(id)) {
          label.classList.add("correct");
          label.append(el("span", { class: "mark" }, el("span", { "aria-hidden": "true" }, " ✓ "), el("span", { class: "mark-words" }, gettext("right answer"))));
        } else if (chosen) {
          label.classList.add("wrong");
          label.append(el("span", { class: "mark" }, el("span", { "aria-hidden": "true" }, " ✗ "), el("span", { class: "mark-words" }, gettext("your choice, not right"))));
        }
        if (chosen && q.option_feedback[id]) label.append(el("span", { class: "feedback", html: q.option_feedback[id] }));
      });
      const feedback = el("div", { class: "feedback" });
      if (!box.querySelector("label[data-option]")) q.feedback_html.forEach((html) => feedback.append(el("div", { html })));
      if (q.correct_answers.length && q.fraction !== 1 && !box.querySelector("label[data-option]")) {
        const list = el("ul");
        q.correct_answers.forEach((a) => list.append(el("li", { html: a.text_html + (a.match ? " → " + escapeHtml(a.match) : "") })));
        feedback.append(el("p", {}, gettext("Accepted answer(s):")), list);
      }
      if (q.combined_feedback_html) feedback.append(el("div", { html: q.combined_feedback_html }));
      if (q.explanation_html) feedback.append(el("div", { html: q.explanation_html }));
      if (q.kind === "essay") this.selfRate(feedback, q);
      if (feedback.childNodes.length) out.append(feedback);
    }

    selfRate(feedback, q) {
      feedback.prepend(el("p", {}, el("strong", {}, gettext("Compare your answer with the model answer, then rate it:"))));
      const row = el("div", { class: "rate-form" });
      for (const [value, label] of [[0, gettext("Not yet")], [0.5, gettext("Partly")], [1, gettext("I had it")]]) {
        const button = el("button", { type: "button", class: "small secondary" }, label);
        button.addEventListener("click", async () => {
          if (this.attempt && document.body.dataset.user !== "anonymous") {
            await call(`/api/attempts/${this.attempt.id}/rate/`, { question: q.id, fraction: value });
          }
          row.replaceChildren(el("span", { class: "badge good" }, interpolate(gettext("Rated: %(label)s"), { label }, true)));
        });
        row.append(button);
      }
      feedback.append(row);
    }
  }

  // An error body's messages, wherever they sit: `detail`, a field's list, or a field's items' lists
  // ({"answers": {"12": ["Question 1: ..."]}}); never the `code`, which is for programs.
  function messages(body) {
    if (typeof body === "string") return [body];
    if (Array.isArray(body)) return body.flatMap(messages);
    if (!body || typeof body !== "object") return [];
    return Object.entries(body).filter(([key]) => key !== "code").flatMap(([, value]) => messages(value));
  }
  function round(x) { return Math.round(x * 100) / 100; }
  function escapeHtml(s) { const d = document.createElement("div"); d.textContent = s; return d.innerHTML; }

  document.querySelectorAll(".quiz-embed").forEach((root) => new Quiz(root));
})();
