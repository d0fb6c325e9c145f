// The GPT lab's own part of the lab page: its drawings (samples from the fixed prompt, the attention heat map,
// embedding neighbours), registered with window.LabVisuals for lab.js to call with each frame; the larger
// defaults offered with a GPU; and "Talk to your model", which follows the lab widget's data-status and
// data-job to know when a run has a trained model.
(function () {
  "use strict";
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  // A title under the lab's own heading: h2 on the lab's page (under its h1), h4 in a lesson (under the lab's h3).
  const titleTag = (inside) => "h" + ((inside.closest && inside.closest("[data-heading-level]")?.dataset.headingLevel) || 4);
  function panel(container, key, title) {
    let box = container.querySelector(`[data-visual="${key}"]`);
    if (!box) {
      box = document.createElement("figure");
      box.className = "visual gpt-" + key;
      box.dataset.visual = key;
      const heading = document.createElement(titleTag(container));
      heading.textContent = title;
      box.append(heading);
      container.append(box);
    }
    return box;
  }

  // Every sample so far, newest first: the learner reads noise turning into the course's words.
  function samples(container, list) {
    const box = panel(container, "samples", gettext("Samples from the same prompt"));
    let items = box.querySelector("ol");
    if (!items) {
      items = document.createElement("ol");
      items.reversed = true;
      // It scrolls: a keyboard reaches it (a tab stop) and a screen reader names it.
      items.tabIndex = 0;
      items.setAttribute("aria-label", gettext("Samples from the same prompt"));
      box.append(items);
    }
    items.replaceChildren(...[...list].reverse().map((sample) => {
      const item = document.createElement("li");
      const step = document.createElement("span");
      step.className = "gpt-step";
      step.textContent = interpolate(gettext("step %(n)s"), { n: sample.step }, true);
      const text = document.createElement("span");
      text.className = "gpt-text";
      const prompt = document.createElement("strong");
      prompt.textContent = sample.prompt;
      text.append(prompt, sample.text.slice(sample.prompt.length));
      item.append(step, text);
      return item;
    }));
    box.dataset.samples = String(list.length);
  }

  let selects = 0; // ids for the labels

  function select(box, name, label, count, chosen) {
    let field = box.querySelector(`select[name="${name}"]`);
    if (!field) {
      field = document.createElement("select");
      field.name = name;
      field.id = `gpt-attention-${name}-${++selects}`;
      const caption = document.createElement("label");
      caption.htmlFor = field.id;
      caption.textContent = label;
      const wrap = document.createElement("span");
      wrap.append(caption, field);
      box.querySelector(".gpt-choose").append(wrap);
    }
    if (field.options.length !== count) {
      field.replaceChildren(...Array.from({ length: count }, (_, i) => new Option(String(i + 1), String(i))));
      field.value = String(Math.min(chosen, count - 1));
    }
    return field;
  }

  // How much each character of the sample's end (a row) attends to each character before it (a column), in
  // the layer and head the learner picks. The choice outlives the frames that keep arriving.
  function attention(container, frame) {
    const box = panel(container, "attention", gettext("Attention over the end of the sample"));
    if (!box.querySelector(".gpt-choose")) {
      const choose = document.createElement("div");
      choose.className = "gpt-choose";
      box.append(choose);
    }
    box.frame = frame;
    const layer = select(box, "layer", gettext("Layer"), frame.layers.length, frame.layers.length - 1);
    const head = select(box, "head", gettext("Head"), frame.layers[0].length, 0);
    if (!box.dataset.wired) {
      box.dataset.wired = "1";
      for (const field of [layer, head]) field.addEventListener("change", () => heatmap(box));
    }
    heatmap(box);
  }

  function heatmap(box) {
    const frame = box.frame;
    const layer = Number(box.querySelector('select[name="layer"]').value);
    const head = Number(box.querySelector('select[name="head"]').value);
    const rows = frame.layers[layer][head];
    const n = frame.characters.length;
    const cell = 14, margin = 18;
    let c = box.querySelector("canvas");
    if (!c) {
      c = document.createElement("canvas");
      c.setAttribute("role", "img");
      box.append(c);
    }
    c.width = c.height = margin + n * cell;
    c.setAttribute("aria-label", interpolate(gettext("Attention of layer %(layer)s, head %(head)s over the last %(n)s characters of the sample at step %(step)s."), { layer: layer + 1, head: head + 1, n, step: frame.step }, true));
    const g = c.getContext("2d");
    g.clearRect(0, 0, c.width, c.height);
    g.fillStyle = css("--muted");
    g.font = `${cell - 3}px ${css("--font") || "sans-serif"}`;
    g.textAlign = "center";
    g.textBaseline = "middle";
    const shown = (ch) => (ch === "\n" ? "↵" : ch === " " ? "·" : ch);
    frame.characters.forEach((ch, i) => {
      g.fillText(shown(ch), margin + i * cell + cell / 2, margin / 2); // keys, across the top
      g.fillText(shown(ch), margin / 2, margin + i * cell + cell / 2); // queries, down the side
    });
    const accent = css("--series-1") || "#3b5bdb";
    g.fillStyle = accent;
    rows.forEach((row, i) => row.forEach((percent, j) => {
      g.globalAlpha = Math.min(1, percent / 100) * 0.95 + 0.03;
      g.fillRect(margin + j * cell, margin + i * cell, cell - 1, cell - 1);
    }));
    g.globalAlpha = 1;
    box.dataset.drawn = `${frame.step}:${layer}:${head}`;
  }

  // At the end: which characters the model learned to treat alike.
  function neighbours(container, list) {
    const box = panel(container, "neighbours", gettext("Nearest neighbours in the learned embedding"));
    let t = box.querySelector("table");
    if (!t) { t = document.createElement("table"); box.append(t); }
    t.replaceChildren();
    const head = t.createTHead().insertRow();
    for (const title of [gettext("Character"), gettext("Most similar (cosine)")]) {
      const th = document.createElement("th"); th.scope = "col"; th.textContent = title; head.append(th);
    }
    const body = t.createTBody();
    for (const entry of list) {
      const row = body.insertRow();
      const th = document.createElement("th"); th.scope = "row"; th.textContent = entry.character; row.append(th);
      row.insertCell().textContent = entry.neighbours.map(([ch, s]) => `${ch === " " ? "␠" : ch === "\n" ? "↵" : ch} ${s.toFixed(2)}`).join("  ");
    }
  }

  Object.assign(window.LabVisuals = window.LabVisuals || {}, { samples, attention, neighbours });

  const { csrfToken } = window.platform;

  // The larger model a GPU can train: offered when the learner picks the GPU, the CPU defaults back otherwise.
  function offerPresets(root, lab) {
    const presets = lab.presets || {};
    const device = root.querySelector(".lab-form [name=device]");
    if (!device || !presets.cuda) return;
    const defaults = Object.fromEntries(lab.hyperparameters.map((h) => [h.name, h.default]));
    device.addEventListener("change", () => {
      const values = device.value === "cuda" ? presets.cuda : defaults;
      for (const name of Object.keys(presets.cuda)) {
        const input = root.querySelector(`.lab-form [name="${name}"]`);
        if (input) input.value = values[name];
      }
    });
  }

  class Talk {
    constructor(root) {
      this.root = root;
      this.box = root.querySelector(".gpt-talk");
      this.form = this.box.querySelector("form");
      this.fields = this.form.querySelector("fieldset");
      this.note = this.box.querySelector(".gpt-talk-note");
      this.output = this.box.querySelector(".gpt-written");
      this.status = this.box.querySelector(".gpt-talk-status");
      this.source = null;
      this.form.addEventListener("submit", (event) => { event.preventDefault(); this.write(); });
      new MutationObserver(() => this.follow()).observe(root, { attributes: true, attributeFilter: ["data-status", "data-job"] });
      this.follow();
    }

    // Only a run that has finished well (or kept its model at the time limit) has a model to talk to.
    follow() {
      const ready = ["succeeded", "stopped"].includes(this.root.dataset.status) && this.root.dataset.job;
      if (ready && !this.box.dataset.job && !this.field("prompt").value) this.field("prompt").value = this.samplePrompt();
      this.fields.disabled = !ready || !!this.source;
      this.box.dataset.job = ready ? this.root.dataset.job : "";
      this.note.textContent = ready
        ? interpolate(gettext("Run #%(n)s has finished: its model is ready."), { n: this.root.dataset.job }, true)
        : gettext("When a run has finished, type the beginning of a text and your model continues it.");
    }

    samplePrompt() {
      const strong = this.root.querySelector(".gpt-samples strong");
      return strong ? strong.textContent : "";
    }

    showErrors(body) {
      this.form.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
      this.form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
      const general = this.form.querySelector(".form-error");
      general.hidden = true;
      let first = null;
      for (const [name, messages] of Object.entries(body)) {
        const field = this.form.querySelector(`[data-field="${name}"]`);
        if (field && Array.isArray(messages)) {
          field.querySelector(".field-error").textContent = messages.join(" ");
          const input = field.querySelector("input, textarea");
          input.setAttribute("aria-invalid", "true");
          first = first || input;
        }
      }
      if (body.detail && !first) { general.textContent = body.detail; general.hidden = false; }
      if (first) first.focus();
    }

    field(name) {
      return this.form.querySelector(`[name="${name}"]`); // not form.elements: "length" is its own property
    }

    number(name) {
      const value = this.field(name).value.trim();
      return value === "" ? value : Number(value);
    }

    async write() {
      this.showErrors({});
      const job = this.box.dataset.job;
      const body = { prompt: this.field("prompt").value, temperature: this.number("temperature"), top_k: this.number("top_k"), length: this.number("length"), seed: this.number("seed") };
      const response = await fetch(`/api/jobs/${job}/generate/`, {
        method: "POST", credentials: "same-origin", body: JSON.stringify(body),
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrfToken() },
      });
      const answer = response.headers.get("Content-Type")?.includes("json") ? await response.json() : {};
      if (!response.ok) {
        this.showErrors(answer.detail || Object.keys(answer).some((k) => k in body) ? answer : { detail: gettext("The model could not be asked.") + ` (${response.status})` });
        return;
      }
      this.stream(answer.events_url, body.prompt);
    }

    stream(url, prompt) {
      const continuation = this.output.querySelector(".gpt-continuation");
      this.output.querySelector(".gpt-prompt").textContent = prompt;
      continuation.textContent = "";
      this.output.setAttribute("aria-busy", "true");
      this.output.dataset.state = "writing";
      this.status.textContent = gettext("Queued…");
      const source = new EventSource(url);
      this.source = source;
      this.fields.disabled = true;
      const on = (name, handler) => source.addEventListener(name, (event) => handler(JSON.parse(event.data)));
      // How far it has got, not just that it writes: a slow worker shows as slow, not as stuck.
      let device = "";
      let length = 0;
      const writing = () => {
        const n = continuation.textContent.length;
        this.status.textContent = length
          ? interpolate(gettext("Writing on %(device)s… %(n)s of %(total)s characters"), { device, n, total: length }, true)
          : interpolate(gettext("Writing on %(device)s…"), { device }, true);
      };
      // A generation waits its turn behind training runs on the same workers: after a moment, say so.
      const waiting = setTimeout(() => {
        this.status.textContent = gettext("Waiting for a free worker: every worker is training a run now. Writing starts when one finishes.");
      }, 3000);
      on("started", (d) => { clearTimeout(waiting); device = d.device; length = d.length || 0; writing(); });
      on("text", (d) => { continuation.textContent += d.text; writing(); });
      on("end", (d) => {
        clearTimeout(waiting);
        source.close();
        this.source = null;
        this.output.setAttribute("aria-busy", "false");
        this.output.dataset.state = d.status;
        this.status.textContent = d.error || interpolate(gettext("%(n)s characters in %(s)s s."), { n: continuation.textContent.length, s: d.seconds }, true);
        this.follow();
      });
      source.onerror = () => {
        if (source.readyState === EventSource.CLOSED) {
          clearTimeout(waiting);
          this.source = null;
          this.status.textContent = gettext("Connection lost.");
          this.follow();
        }
      };
    }
  }

  function start() {
    document.querySelectorAll('[data-lab="gpt"]').forEach((root) => {
      const data = document.getElementById("gpt-lab-data");
      if (data) offerPresets(root, JSON.parse(data.textContent));
      if (root.querySelector(".gpt-talk")) root.gptTalk = new Talk(root);
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
