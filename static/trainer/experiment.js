// A guided experiment on the lab page (?experiment=<slug>): its instructions, a prediction committed before
// running, its settings filled into the lab's form, and a check graded on the server from the learner's own
// finished runs. The expected values never come to the page: only the result of a submission does.
(function () {
  "use strict";
  const panel = document.querySelector("[data-experiment-panel]");
  const slug = new URLSearchParams(window.location.search).get("experiment");
  if (!panel || !slug) return;
  const labRoot = document.querySelector("[data-lab]");
  const DONE = ["succeeded", "diverged"];

  const { csrfToken, api } = window.platform;

  const el = (tag, props = {}, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  // A run's settings in the lab's words and order ("Learning rate 0.9 · Steps 300"), as the lab's own run list
  // writes them; the stored settings keep no order of their own (PostgreSQL sorts an object's keys).
  const settingsText = (settings) => labRoot?.labWidget?.settings(settings)
    ?? Object.keys(settings).sort().map((k) => `${k} = ${settings[k]}`).join(", ");
  const same = (a, b) => (typeof a === "number" && typeof b === "number" ? Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)) : a === b);

  let experiment = null;
  let predictedAt = null;

  // The lab form takes a run's settings; the widget's own code reads the form when Start is pressed.
  function useSettings(settings) {
    const form = labRoot && labRoot.querySelector(".lab-form");
    if (!form) return;
    for (const [name, value] of Object.entries(settings)) {
      const input = form.elements[name];
      if (!input) continue;
      if (input.type === "checkbox") input.checked = Boolean(value); else input.value = String(value);
      input.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }

  // `moveFocus`: after the learner commits, the form they were in is hidden; the focus goes to what it says
  // they predicted (read out by a screen reader), not to the page's body.
  function showPrediction(value, at, moveFocus = false) {
    predictedAt = at ? new Date(at) : null;
    const said = experiment.prediction.kind === "choice" ? experiment.prediction.choices[value] : String(value);
    panel.querySelector(".experiment-predict").hidden = true;
    const box = panel.querySelector(".experiment-predicted");
    box.hidden = false;
    box.querySelector(".said").textContent = interpolate(gettext("You predicted: %(prediction)s. Now run the experiment; runs started before your prediction do not count."), { prediction: said }, true);
    panel.querySelector(".experiment-check").hidden = false;
    if (moveFocus) box.querySelector(".said").focus();
    loadRuns();
  }

  function renderPrediction() {
    const form = panel.querySelector(".experiment-predict");
    panel.querySelector(".repredict").addEventListener("click", () => {
      form.hidden = false;
      panel.querySelector(".experiment-predicted").hidden = true;
      form.querySelector("input")?.focus();
    });
    const { kind, question, choices } = experiment.prediction;
    form.querySelector("legend").textContent = question;
    const options = form.querySelector(".options");
    options.replaceChildren();
    if (kind === "choice") {
      choices.forEach((text, i) => {
        const id = `experiment-choice-${i}`;
        options.append(el("div", { className: "option" }, el("input", { type: "radio", name: "prediction", value: String(i), id }), el("label", { htmlFor: id, textContent: text })));
      });
    } else {
      options.append(el("input", { type: "number", name: "prediction", step: "any", inputMode: "decimal", ariaLabel: question }));
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const error = form.querySelector(".field-error");
      error.textContent = "";
      const input = kind === "choice" ? form.querySelector("input:checked") : form.elements.prediction;
      const raw = input ? input.value.trim() : "";
      if (raw === "") { error.textContent = kind === "choice" ? gettext("Choose one of the predictions first.") : gettext("Enter your prediction as a number."); return; }
      const { ok, body } = await api(`/api/experiments/${encodeURIComponent(slug)}/prediction/`, { method: "POST", body: JSON.stringify({ prediction: Number(raw) }) });
      if (!ok) { error.textContent = (body && (body.prediction || [body.detail]).join(" ")) || gettext("The prediction could not be saved."); return; }
      showPrediction(body.prediction, body.created_at, true);
    });
  }

  function renderRuns() {
    const slots = panel.querySelector(".slots");
    slots.replaceChildren();
    experiment.runs.forEach((run, i) => {
      const id = `experiment-run-${i}`;
      const limits = Object.entries(run.limits || {}).map(([k, b]) => interpolate(gettext("%(name)s from %(min)s to %(max)s"), { name: k, min: b.min ?? "–", max: b.max ?? "–" }, true));
      const words = [settingsText(run.settings), ...limits].filter(Boolean).join("; ");
      const use = el("button", { type: "button", className: "secondary small", textContent: gettext("Put these settings in the form") });
      use.addEventListener("click", () => { useSettings(run.settings); labRoot?.querySelector(".lab-form .start")?.focus(); });
      slots.append(el("div", { className: "field slot" },
        el("label", { htmlFor: id, textContent: interpolate(gettext("Run %(n)s"), { n: i + 1 }, true) + (words ? " · " + words : "") }),
        el("select", { id, name: `run-${i}` }), use));
    });
    const answer = panel.querySelector(".answer-field");
    answer.hidden = experiment.check.answer !== "number";
    answer.querySelector("label").textContent = experiment.check.question;
  }

  // The learner's finished runs that fit each of the experiment's runs, newest first (the server checks again).
  async function loadRuns() {
    if (!(await window.platform.signedIn())) return; // a visitor has no runs to grade
    const { ok, body } = await api(`/api/jobs/?lab=${encodeURIComponent(experiment.lab)}&mine=1`);
    if (!ok) return;
    experiment.runs.forEach((run, i) => {
      const select = panel.querySelector(`#experiment-run-${i}`);
      const kept = select.value;
      const fits = body.filter((job) => DONE.includes(job.status)
        && (!predictedAt || new Date(job.created_at) >= predictedAt)
        && Object.entries(run.settings).every(([k, v]) => same(job.params[k], v))
        && Object.entries(run.limits || {}).every(([k, b]) => (b.min === undefined || job.params[k] >= b.min) && (b.max === undefined || job.params[k] <= b.max)));
      select.replaceChildren();
      if (!fits.length) select.append(el("option", { value: "", textContent: gettext("No finished run with these settings yet") }));
      for (const job of fits) {
        const state = job.status === "diverged" ? gettext("diverged") : gettext("finished");
        select.append(el("option", { value: String(job.id), textContent: `#${job.id} · ${state}` }));
      }
      if (fits.some((job) => String(job.id) === kept)) select.value = kept;
    });
  }

  function renderCheck() {
    const form = panel.querySelector(".experiment-check");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const general = form.querySelector(".form-error");
      const answerError = form.querySelector("#experiment-answer-error");
      general.hidden = true; answerError.textContent = "";
      const jobs = experiment.runs.map((_, i) => Number(form.querySelector(`#experiment-run-${i}`).value) || 0);
      if (jobs.some((id) => !id)) { general.textContent = gettext("Finish a run with each of the settings above first."); general.hidden = false; return; }
      const payload = { jobs };
      if (experiment.check.answer === "number") {
        const raw = form.querySelector("#experiment-answer").value.trim();
        if (raw === "") { answerError.textContent = gettext("Enter your answer as a number."); form.querySelector("#experiment-answer").focus(); return; }
        payload.answer = Number(raw);
      }
      const { ok, status, body } = await api(`/api/experiments/${encodeURIComponent(slug)}/submissions/`, { method: "POST", body: JSON.stringify(payload) });
      if (!ok) {
        const message = body && (body.detail || Object.values(body).flat().join(" "));
        general.textContent = message || interpolate(gettext("The check could not be made (%(status)s)."), { status }, true);
        general.hidden = false;
        return;
      }
      const result = panel.querySelector(".experiment-result");
      result.hidden = false;
      const badge = result.querySelector(".badge");
      badge.textContent = body.passed ? gettext("Passed") : gettext("Not yet");
      badge.className = "badge " + (body.passed ? "good" : "warn");
      result.querySelector(".feedback").textContent = body.feedback;
      result.querySelector(".explanation").innerHTML = body.explanation; // sanitised when the course was imported
      result.focus();
    });
  }

  async function start() {
    const { ok, body } = await api(`/api/experiments/${encodeURIComponent(slug)}/`);
    panel.hidden = false;
    if (!ok) { panel.querySelector("h2").textContent = gettext("There is no such guided experiment."); panel.querySelectorAll("form").forEach((f) => (f.hidden = true)); return; }
    experiment = body;
    panel.querySelector("h2").textContent = body.title;
    const lesson = panel.querySelector(".experiment-lesson");
    lesson.append(" · ", el("a", { href: body.lesson.url, textContent: body.lesson.title }));
    panel.querySelector(".experiment-instructions").innerHTML = body.instructions; // sanitised at import
    useSettings(body.runs[0].settings);
    renderPrediction();
    renderRuns();
    renderCheck();
    if (panel.dataset.signedIn !== "1") { panel.querySelectorAll("form").forEach((f) => (f.hidden = true)); return; }
    if (body.mine && body.mine.prediction) showPrediction(body.mine.prediction.value, body.mine.prediction.created_at);
    // A run that ends in the lab widget (its root's data-status changes) refreshes the runs to choose from.
    if (labRoot) new MutationObserver(() => { if (predictedAt) loadRuns(); }).observe(labRoot, { attributes: true, attributeFilter: ["data-status"] });
  }

  start();
})();
