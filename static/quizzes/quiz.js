// A quiz: questions from the API (never their answers), graded on the server, feedback shown in place.
// Plain form controls, so it works with the keyboard and a screen reader.
(function () {
  "use strict";
  // Django's JavaScript catalog defines window.gettext; without it the English text shows.
  const gettext = (s) => (window.gettext ? window.gettext(s) : s);
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);

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

  class Quiz {
    constructor(root) {
      this.root = root;
      this.api = root.dataset.quizApi;
      this.load();
    }

    async load() {
      const { ok, data } = await call(this.api);
      if (!ok) { this.root.textContent = gettext("The quiz could not be loaded."); return; }
      this.quiz = data;
      this.render();
    }

    render() {
      const q = this.quiz;
      const form = el("form", { class: "quiz", novalidate: "" });
      if (!this.root.hasAttribute("data-standalone")) form.append(el("h3", {}, fill(gettext("Check yourself: %(title)s"), { title: q.title })));
      this.summary = el("div", { class: "card", role: "status", tabindex: "-1", hidden: "" });
      form.append(this.summary);
      if (q.attempts_left !== null && q.attempts_left !== undefined) {
        form.append(el("p", { class: "muted" }, fill(gettext("Attempts left: %(left)s of %(max)s"), { left: q.attempts_left, max: q.max_attempts })));
      }
      q.questions.forEach((question, index) => form.append(this.question(question, index)));
      this.error = el("p", { class: "form-error", role: "alert", hidden: "" });
      this.submitButton = el("button", { type: "submit" }, gettext("Check my answers"));
      form.append(this.error, this.submitButton);
      if (q.sign_in_note) {
        form.prepend(el("p", { class: "form-error", role: "status" }, q.sign_in_note));
        this.submitButton.disabled = true;
      }
      form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(form); });
      this.root.replaceChildren(form);
      this.form = form;
    }

    question(question, index) {
      const id = `q${question.id}`;
      const box = el("section", { class: "question", id, "data-question": question.id, "data-kind": question.kind });
      const legend = el("legend", {}, el("span", {}, `${index + 1}. `), el("span", { html: question.text_html }));
      const fieldset = el("fieldset", {}, legend);
      box.append(fieldset);
      const name = `answer-${question.id}`;
      if (question.options) {
        const type = question.kind === "multiple" ? "checkbox" : "radio";
        const list = el("ul", { class: "options" });
        for (const option of question.options) {
          const input = el("input", { type, name, value: String(option.id), id: `${id}-o${option.id}` });
          const text = el("span", { html: option.text_html });
          const spoken = spokenName(text);
          if (spoken) input.setAttribute("aria-label", spoken);
          list.append(el("li", {}, el("label", { for: `${id}-o${option.id}`, "data-option": option.id }, input, text)));
        }
        if (question.kind === "multiple") fieldset.append(el("p", { class: "muted small" }, gettext("Choose all that apply.")));
        fieldset.append(list);
      } else if (question.kind === "short" || question.kind === "numeric") {
        const input = el("input", { type: "text", name, id: `${id}-input`, autocomplete: "off", ...(question.kind === "numeric" ? { inputmode: "decimal" } : {}) });
        fieldset.append(el("label", { for: `${id}-input`, class: "visually-hidden" }, gettext("Your answer")), input);
      } else if (question.kind === "matching") {
        for (const item of question.items) {
          const select = el("select", { name: `${name}-${item.id}`, id: `${id}-m${item.id}`, "data-item": item.id },
            el("option", { value: "" }, gettext("Choose…")), ...question.matches.map((m) => el("option", { value: m }, m)));
          fieldset.append(el("div", { class: "matching-row" }, el("label", { for: `${id}-m${item.id}`, html: item.text_html }), select));
        }
      } else if (question.kind === "essay") {
        fieldset.append(el("label", { for: `${id}-essay`, class: "visually-hidden" }, gettext("Your answer")), el("textarea", { name, id: `${id}-essay`, rows: "4" }));
      }
      if (question.hint_html) {
        const hint = el("div", { class: "hint", id: `${id}-hint`, hidden: "", html: question.hint_html });
        const button = el("button", { type: "button", class: "link-button", "aria-expanded": "false", "aria-controls": `${id}-hint` }, gettext("Show a hint"));
        button.addEventListener("click", () => { hint.hidden = false; button.setAttribute("aria-expanded", "true"); button.hidden = true; hint.focus?.(); });
        box.append(button, hint);
      }
      box.append(el("div", { class: "result", "aria-live": "polite" }));
      return box;
    }

    answers(form) {
      const answers = {};
      for (const question of this.quiz.questions) {
        const name = `answer-${question.id}`;
        if (question.kind === "multiple") {
          answers[question.id] = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => Number(i.value));
        } else if (question.options) {
          const checked = form.querySelector(`input[name="${name}"]:checked`);
          if (checked) answers[question.id] = Number(checked.value);
        } else if (question.kind === "matching") {
          const pairs = {};
          form.querySelectorAll(`[data-question="${question.id}"] select`).forEach((s) => { if (s.value) pairs[s.dataset.item] = s.value; });
          answers[question.id] = pairs;
        } else if (question.kind !== "description") {
          const input = form.elements[name];
          if (input && input.value.trim()) answers[question.id] = input.value.trim();
        }
      }
      return answers;
    }

    async submit(form) {
      this.error.hidden = true;
      this.submitButton.disabled = true;
      const { ok, status, data } = await call(this.api + "attempts/", { answers: this.answers(form) });
      this.submitButton.disabled = false;
      if (!ok) {
        this.error.textContent = (data && (data.detail || Object.values(data).flat().join(" "))) || gettext("The answers could not be checked.") + ` (${status})`;
        this.error.hidden = false;
        this.error.focus?.();
        return;
      }
      this.show(data);
    }

    show(result) {
      this.attempt = result;
      const left = result.attempts_left;
      this.summary.replaceChildren(
        el("p", { class: "score" }, fill(gettext("Your score: %(percent)s%% (%(score)s / %(max)s)"), { percent: result.percent, score: round(result.score), max: round(result.max_score) }).replace("%%", "%")),
        el("p", { class: "muted" }, left === null || left === undefined ? gettext("You can try again as often as you like.") : fill(gettext("Attempts left: %(left)s"), { left })),
      );
      if (result.review_note) this.summary.append(el("p", { class: "muted" }, result.review_note));
      if (left !== 0) {
        const again = el("button", { type: "button", class: "secondary" }, gettext("Try again"));
        again.addEventListener("click", () => this.load());
        this.summary.append(again);
      }
      this.summary.hidden = false;
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
        if (right.has(id)) label.classList.add("correct");
        else if (chosen) label.classList.add("wrong");
        if (chosen && q.option_feedback[id]) label.append(el("span", { class: "feedback", html: q.option_feedback[id] }));
      });
      const feedback = el("div", { class: "feedback" });
      if (!box.querySelector("label[data-option]")) q.feedback_html.forEach((html) => feedback.append(el("div", { html })));
      if (q.correct_answers.length && q.fraction !== 1 && !box.querySelector("label[data-option]")) {
        const list = el("ul");
        q.correct_answers.forEach((a) => list.append(el("li", { html: a.text_html + (a.match ? " → " + escapeHtml(a.match) : "") })));
        feedback.append(el("p", {}, gettext("Accepted answer(s):")), list);
      }
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
          row.replaceChildren(el("span", { class: "badge good" }, fill(gettext("Rated: %(label)s"), { label })));
        });
        row.append(button);
      }
      feedback.append(row);
    }
  }

  function round(x) { return Math.round(x * 100) / 100; }
  function escapeHtml(s) { const d = document.createElement("div"); d.textContent = s; return d.innerHTML; }

  document.querySelectorAll(".quiz-embed").forEach((root) => new Quiz(root));
})();
