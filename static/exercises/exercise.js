// The exercise page: CodeMirror 6 (static/vendor/codemirror) over a plain textarea that works without it;
// the learner's draft loaded and kept (debounced); Check (or Ctrl/Cmd+Enter) posts the code, then polls the
// attempt until the sandbox's result arrives; the failed properties are shown in words.
(function () {
  "use strict";
  const root = document.querySelector(".exercise");
  if (!root) return;
  const gettext = (s) => (window.gettext ? window.gettext(s) : s);
  const fill = (text, values) => (window.interpolate ? window.interpolate(text, values, true) : text);
  const api = (url, options) => window.platform.api(url, options);
  const textarea = document.getElementById("source");
  const host = document.getElementById("editor");
  const section = root.querySelector(".exercise-editor");
  const checkButton = document.getElementById("check");
  const solutionButton = document.getElementById("show-solution");
  const draftState = root.querySelector(".draft-state");
  const member = document.body.dataset.user === "member";
  let view = null;

  const read = () => (view ? view.state.doc.toString() : textarea.value);

  let saveTimer = null;
  function changed() {
    if (!member) return;
    clearTimeout(saveTimer);
    saveTimer = setTimeout(async () => {
      const { ok } = await api(root.dataset.draft, { method: "PUT", body: JSON.stringify({ source: read() }) });
      draftState.textContent = ok ? gettext("Draft saved.") : gettext("The draft could not be saved.");
    }, 1000);
  }

  function mountEditor() {
    const CM = window.CodeMirror;
    if (!CM) return;
    view = new CM.EditorView({
      parent: host,
      doc: textarea.value,
      extensions: [
        CM.basicSetup,
        CM.python(),
        CM.EditorView.lineWrapping,  // long lines wrap: no sideways scrolling on a phone
        // Tab indents; Esc then Tab leaves the editor (CodeMirror's own escape from its Tab handling).
        CM.EditorView.cspNonce.of(root.dataset.styleNonce || ""),  // its theme's <style>, allowed on this page
        CM.keymap.of([CM.indentWithTab]),
        CM.EditorView.contentAttributes.of({ "aria-label": gettext("Your code"), autocapitalize: "off", autocorrect: "off", spellcheck: "false" }),
        CM.EditorView.updateListener.of((update) => { if (update.docChanged) changed(); }),
      ],
    });
    section.classList.add("has-editor");
  }

  textarea.addEventListener("input", changed);
  // Ctrl/Cmd+Enter checks, in the editor or the plain textarea: caught on the way down, before CodeMirror's
  // own Mod-Enter (insert a blank line) sees it.
  section.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      event.stopPropagation();
      submit();
    }
  }, true);

  const result = root.querySelector(".exercise-result");
  function show(attempt) {
    result.hidden = false;
    const verdict = result.querySelector(".verdict");
    const list = result.querySelector(".failed");
    const error = result.querySelector(".error");
    const printed = result.querySelector(".printed");
    list.replaceChildren();
    if (!attempt.done) {
      verdict.className = "verdict";
      verdict.textContent = gettext("Checking your code in the sandbox…");
      error.hidden = printed.hidden = true;
      return;
    }
    verdict.className = "verdict " + (attempt.passed ? "passed" : "failed");
    verdict.textContent = attempt.passed ? gettext("Passed: every hidden test holds.") : gettext("Not yet. What did not hold:");
    for (const item of attempt.failed) list.append(Object.assign(document.createElement("li"), { textContent: item.words }));
    error.hidden = !attempt.error;
    error.textContent = attempt.error || "";
    printed.hidden = !attempt.printed;
    printed.querySelector("pre").textContent = attempt.printed || "";
    const train = result.querySelector(".train");
    if (train) train.hidden = !attempt.passed;
    refreshStanding();
  }

  let busy = false;
  async function submit() {
    if (!member || busy || !checkButton || checkButton.disabled) return;
    busy = true;
    checkButton.disabled = true;
    try {
      const { ok, body } = await api(root.dataset.attempts, { method: "POST", body: JSON.stringify({ source: read() }) });
      if (!ok) {
        result.hidden = false;
        result.querySelector(".verdict").textContent = (body && (body.detail || (body.source || []).join(" "))) || gettext("The code could not be checked.");
        return;
      }
      show(body);
      let attempt = body;
      const started = Date.now();
      while (!attempt.done && Date.now() - started < 60000) {
        await new Promise((resolve) => setTimeout(resolve, attempt.status === "queued" ? 150 : 100));
        const answer = await api(`/api/exercises/attempts/${attempt.id}/`);
        if (answer.ok) attempt = answer.body;
      }
      show(attempt);
    } finally {
      busy = false;
      checkButton.disabled = false;
    }
  }

  async function refreshStanding() {
    const { ok, body } = await api(root.dataset.api);
    if (!ok || !body.mine) return body;
    if (solutionButton) solutionButton.hidden = !body.mine.solution_available;
    return body;
  }

  if (solutionButton) {
    solutionButton.addEventListener("click", async () => {
      const { ok, body } = await api(root.dataset.solution);
      const box = root.querySelector(".exercise-solution");
      box.hidden = false;
      box.querySelector("code").textContent = ok ? body.source : (body && body.detail) || "";
    });
  }
  if (checkButton) checkButton.addEventListener("click", submit);
  const trainButton = document.getElementById("train");
  if (trainButton) {
    trainButton.addEventListener("click", async () => {
      trainButton.disabled = true;
      const { ok, body } = await api(trainButton.dataset.url, { method: "POST", body: JSON.stringify({ params: {} }) });
      trainButton.disabled = false;
      if (ok) window.location.assign(`${trainButton.dataset.lab}?run=${body.id}`);
      else result.querySelector(".verdict").textContent = (body && body.detail) || gettext("The run could not be started.");
    });
  }

  (async () => {
    if (member) {
      const body = await refreshStanding();
      if (body && body.mine && body.mine.draft !== null) textarea.value = body.mine.draft;
    }
    mountEditor();
  })();
})();
