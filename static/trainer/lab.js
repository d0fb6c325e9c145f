// A lab widget: submit a run, follow its event stream, draw it live; list, compare and download runs.
// One EventSource per widget at a time (browsers allow few connections per host).
(function () {
  "use strict";
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const COLORS = ["--series-1", "--series-2", "--series-3", "--series-4"];
  const STATES = {
    queued: gettext("Queued"), running: gettext("Running"), succeeded: gettext("Succeeded"), failed: gettext("Failed"),
    cancelled: gettext("Cancelled"), diverged: gettext("Diverged"), stopped: gettext("Stopped at the time limit"),
  };
  // A run stopped at its time limit keeps what it learned: not a failure, not a full run either.
  const BADGES = { succeeded: "good", failed: "bad", diverged: "bad", cancelled: "warn", stopped: "warn" };
  const ACTIVE = ["queued", "running"];

  const { csrfToken, api } = window.platform;

  function format(value) {
    if (value === null || value === undefined) return "–";
    if (typeof value !== "number") return String(value);
    // -2.48e16, not -24808300000000000: a number past a million is read by its size
    if (Number.isInteger(value) && Math.abs(value) < 1e6) return String(value);
    return Math.abs(value) >= 1000 || (value !== 0 && Math.abs(value) < 0.001) ? value.toExponential(3) : value.toFixed(4);
  }

  // Axis labels that stay readable on a log scale (0.001, 1e-6) as on a linear one.
  function axisValues(u, values) {
    return values.map((v) => (v === null || v === undefined ? "" : Math.abs(v) !== 0 && (Math.abs(v) < 0.01 || Math.abs(v) >= 1e5) ? v.toExponential(0) : String(+v.toPrecision(3))));
  }

  // On a log scale uPlot puts a line at every 2…9 of every decade: over fifteen decades (a loss that reaches
  // 1e-15) that is a grey block. Keep the powers of ten, thinned to about six lines.
  function decades(u, splits) {
    const powers = splits.filter((v) => v > 0 && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) < 1e-9);
    const every = Math.max(1, Math.ceil(powers.length / 6));
    return splits.map((v) => {
      const i = powers.indexOf(v);
      return i >= 0 && i % every === 0 ? v : null;
    });
  }

  function valueAxis(log, grid) {
    const lines = log ? { filter: decades } : {};
    return { stroke: css("--muted"), size: 64, values: axisValues, grid: { ...grid, ...lines }, ticks: lines, ...lines };
  }

  function seconds(s) {
    if (s === null || s === undefined) return "";
    if (s < 10) return `${s.toFixed(1)} s`; // a quick run reads "0.4 s", not "0 s"
    return s < 60 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
  }

  // A title under the lab's own heading: h2 on the lab's page (under its h1), h4 in a lesson (under the lab's h3).
  const titleTag = (inside) => "h" + ((inside.closest && inside.closest("[data-heading-level]")?.dataset.headingLevel) || 4);
  class Chart {
    constructor(container, spec, label) {
      this.spec = spec;
      this.label = label;
      this.box = document.createElement("div");
      this.box.className = "chart";
      const title = document.createElement(titleTag(container));
      title.textContent = spec.title;
      this.box.append(title);
      container.append(this.box);
      this.steps = [];
      this.values = spec.series.map(() => []);
      this.plot = null;
      // Drawn at once, empty, at its full size: the points that stream in then fill it and move nothing.
      this.make();
    }

    make() {
      const width = Math.max(200, this.box.clientWidth - 16);
      this.plot = new uPlot({
        width, height: 200,
        scales: { x: { time: false }, y: this.spec.log_y ? { distr: 3 } : {} },
        axes: [{ stroke: css("--muted"), grid: { stroke: css("--border") } },
          valueAxis(this.spec.log_y, { stroke: css("--border") })],
        series: [{ label: this.label("step") }, ...this.spec.series.map((name, i) => ({
          label: this.label(name), stroke: css(COLORS[i % COLORS.length]), width: 2, spanGaps: true, points: { show: false },
        }))],
        legend: { live: false },
      }, [this.steps, ...this.values], this.box);
      // The chart follows its box when the window (or a phone's orientation) changes.
      this.resizing = new ResizeObserver(() => {
        const w = Math.max(200, this.box.clientWidth - 16);
        if (w !== this.plot.width) this.plot.setSize({ width: w, height: 200 });
      });
      this.resizing.observe(this.box);
    }

    remove() {
      if (this.resizing) this.resizing.disconnect();
      this.box.remove();
    }

    add(points) {
      let touched = false;
      for (const point of points) {
        if (!this.spec.series.some((s) => s in point)) continue;
        this.steps.push(point.step);
        this.spec.series.forEach((name, i) => {
          let v = point[name];
          if (v === undefined || v === null || (this.spec.log_y && v <= 0)) v = null;
          this.values[i].push(v);
        });
        touched = true;
      }
      if (!touched) return;
      this.plot.setData([this.steps, ...this.values]);
      this.box.dataset.points = String(this.steps.length);
    }
  }

  class LabWidget {
    constructor(root) {
      this.root = root;
      this.lab = JSON.parse(document.getElementById(root.dataset.lab + "-lab-data").textContent);
      this.form = root.querySelector(".lab-form");
      this.state = root.querySelector(".state");
      this.detail = root.querySelector(".detail");
      this.cancelButton = root.querySelector(".cancel");
      this.bar = root.querySelector(".progress");
      this.eta = root.querySelector(".eta");
      this.params = root.querySelector(".params");
      this.charts = root.querySelector(".lab-charts");
      this.visuals = root.querySelector(".visuals");
      this.metrics = root.querySelector(".metrics");
      this.runs = root.querySelector(".runs");
      this.live = root.querySelector(".lab-live");
      this.status = root.querySelector(".lab-status");
      this.runLine = root.querySelector(".run-settings");
      this.progressRow = root.querySelector(".progress-row");
      this.source = null;
      this.job = null;
      this.shown = 0; // the progress on display, which only grows while one attempt of one run is shown
      this.label = this.label.bind(this);
      // A link may carry settings (?learning_rate=0.9&steps=300, as a guided experiment's does): they fill the
      // form, and an ended run of other settings is then not brought back over them.
      // A class's teacher watching a member's run: the same widget, following that run, changing nothing.
      this.readOnly = Number(root.dataset.readonlyJob) || 0;
      if (this.readOnly) {
        api(`/api/jobs/${this.readOnly}/`).then(({ ok, body }) => { if (ok) this.follow(body); });
        return;
      }
      this.preset = this.fromUrl();
      if (this.preset) this.fill(this.preset);
      this.form.addEventListener("submit", (event) => { event.preventDefault(); this.submit(); });
      this.cancelButton.addEventListener("click", () => this.cancel());
      this.offerNotifications();
      if (this.runs) {
        this.runs.querySelector(".compare").addEventListener("click", () => this.compare());
        this.loadRuns(true);
      }
    }

    // A notice on any page of the site says when a run has ended; the browser's notification (seen in another
    // tab or window) only for a learner who asks for it here, once the browser has allowed it.
    async offerNotifications() {
      const choice = this.root.querySelector(".notify-choice");
      if (!choice || !("Notification" in window) || !(await window.platform.signedIn())) return;
      const box = choice.querySelector(".notify"), refused = choice.querySelector(".notify-refused");
      choice.hidden = false;
      box.checked = window.platform.runs.notifyWanted();
      box.addEventListener("change", async () => {
        refused.textContent = "";
        if (!box.checked) { localStorage.setItem("platform.notify", "0"); return; }
        const permission = Notification.permission === "default" ? await Notification.requestPermission() : Notification.permission;
        if (permission === "granted") localStorage.setItem("platform.notify", "1");
        else {
          box.checked = false;
          refused.textContent = gettext("Your browser blocks notifications from this site; the notice on the page still tells you.");
        }
      });
    }

    // The words for a reported key in the reader's language: "loss_relu" reads "loss · ReLU".
    label(key) {
      const names = this.lab.names || {};
      if (names[key]) return names[key];
      const cut = key.lastIndexOf("_");
      if (cut > 0 && names[key.slice(0, cut)] && names[key.slice(cut + 1)]) return names[key.slice(0, cut)] + " · " + names[key.slice(cut + 1)];
      return key;
    }

    fromUrl() {
      const query = new URLSearchParams(window.location.search);
      const found = {};
      for (const h of this.lab.hyperparameters) if (query.has(h.name)) found[h.name] = query.get(h.name);
      return Object.keys(found).length ? found : null;
    }

    // Puts a run's settings (or a link's) into the form; `widget.fill(params)` for other scripts on the page.
    fill(params) {
      for (const h of this.lab.hyperparameters) {
        if (!(h.name in params)) continue;
        const input = this.form.elements[h.name];
        if (h.kind === "bool") input.checked = params[h.name] === true || params[h.name] === "true" || params[h.name] === "1";
        else input.value = String(params[h.name]);
      }
      this.form.dispatchEvent(new Event("change")); // the estimate (estimate.js) follows the settings shown
    }

    // "Learning rate 0.5 · Steps 2001": a run's settings in words, all of them or (`changed`) those that
    // differ from the lab's defaults, which tell a learner's runs apart.
    settings(params, changed = false) {
      const shown = this.lab.hyperparameters.filter((h) => h.name in params && !(changed && params[h.name] === h.default));
      if (changed && !shown.length) return gettext("default settings");
      return shown.map((h) => {
        let value = params[h.name];
        if (h.kind === "choice") value = (h.choices.find((c) => c.value === value) || { label: value }).label;
        else if (h.kind === "bool") value = value ? gettext("yes") : gettext("no");
        else value = String(value); // as typed: "1.5", not "1.5000"
        return `${h.label} ${value}`;
      }).join(" · ");
    }

    reset() {
      (this.chartObjects || []).forEach((chart) => chart.remove());
      this.charts.replaceChildren();
      this.visuals.replaceChildren();
      this.visuals.hidden = true;
      this.metrics.replaceChildren();
      this.metrics.hidden = true;
      this.params.replaceChildren();
      this.params.hidden = true;
      this.chartObjects = this.lab.charts.map((spec) => new Chart(this.charts, spec, this.label));
      // The live values' names from the start ("–" until the first point), so the charts below stay put.
      this.showParams(Object.fromEntries(["step", ...new Set(this.lab.charts.flatMap((c) => c.series))].map((k) => [k, null])));
      this.shown = 0;
      this.setProgress(0, null);
    }

    setState(status, detail = "") {
      this.state.textContent = STATES[status] || status;
      this.state.className = "badge state " + (BADGES[status] || "");
      this.detail.textContent = detail;
      this.root.dataset.status = status;
      const active = ACTIVE.includes(status);
      this.cancelButton.hidden = !active || Boolean(this.readOnly);
      this.form.querySelector(".start").disabled = active;
      // The bar and "about 16 s left" describe a run in progress; an ended run says how it ended instead.
      this.progressRow.hidden = !active;
      if (!active) this.eta.textContent = "";
    }

    setProgress(fraction, eta) {
      // A reloaded page replays the run from its start: the bar stays where it was until the replay passes it.
      this.shown = Math.max(this.shown, fraction || 0);
      const percent = Math.round(this.shown * 100);
      this.bar.querySelector("span").style.width = percent + "%";
      this.bar.setAttribute("aria-valuenow", String(percent));
      if (!ACTIVE.includes(this.root.dataset.status)) return;
      this.eta.textContent = percent + "%" + (eta && this.shown < 1 ? " · " + interpolate(gettext("about %(time)s left"), { time: seconds(eta) }, true) : "");
    }

    showErrors(body) {
      this.form.querySelectorAll(".field-error").forEach((e) => (e.textContent = ""));
      this.form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
      const general = this.form.querySelector(".form-error");
      general.hidden = true;
      const fields = { ...(body.params || {}), ...body };
      let first = null;
      for (const [name, messages] of Object.entries(fields)) {
        const field = this.form.querySelector(`[data-field="${name}"]`);
        if (field && Array.isArray(messages)) {
          field.querySelector(".field-error").textContent = messages.join(" ");
          const input = field.querySelector("input, select");
          input.setAttribute("aria-invalid", "true");
          first = first || input;
        }
      }
      if (body.detail && !first) { general.textContent = body.detail; general.hidden = false; }
      (first || general).focus?.();
    }

    values() {
      const params = {};
      for (const h of this.lab.hyperparameters) {
        const input = this.form.elements[h.name];
        if (h.kind === "bool") params[h.name] = input.checked;
        else if (h.kind === "choice") params[h.name] = input.value;
        else params[h.name] = input.value.trim() === "" ? input.value : Number(input.value);
      }
      return params;
    }

    async submit() {
      this.showErrors({});
      const { ok, status, body } = await api("/api/jobs/", { method: "POST", body: JSON.stringify({ lab: this.lab.slug, params: this.values() }) });
      if (!ok) {
        this.showErrors(body || { detail: gettext("The run could not be started.") + ` (${status})` });
        return;
      }
      this.follow(body);
      this.reveal();
      this.loadRuns(false);
    }

    // After Start, the learner's eyes and keyboard go to the run: the status line gets the focus (a screen
    // reader reads it) and the live area scrolls into view unless its top is already on screen.
    // The sticky header covers the top of the window: the run is brought just below it, not under it.
    // Beside a long form the live area is sticky, and may sit pushed down its column, where it will not stay
    // once its charts make it taller: its place is measured from the top of its column (the grid's), not its own.
    reveal() {
      const header = document.querySelector(".site-header");
      const sticky = getComputedStyle(this.live).position === "sticky";
      const top = (sticky ? this.live.parentElement : this.live).getBoundingClientRect().top;
      const below = (header ? header.getBoundingClientRect().bottom : 0) + 8;
      if (top < below || top > window.innerHeight * 0.5) {
        const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        window.scrollBy({ top: top - below, behavior: smooth ? "smooth" : "auto" });
      }
      this.status.focus({ preventScroll: true });
    }

    async cancel() {
      if (!this.job) return;
      this.cancelButton.disabled = true;
      const { ok, body } = await api(`/api/jobs/${this.job.id}/cancel/`, { method: "POST" });
      this.cancelButton.disabled = false;
      if (!ok && body) this.detail.textContent = body.detail || "";
      else this.detail.textContent = gettext("Stopping…");
    }

    follow(job) {
      if (this.source) this.source.close();
      this.job = job;
      this.reset();
      this.setState(job.status, job.status === "queued" && job.queue_position ? interpolate(gettext("position in queue: %(n)s"), { n: job.queue_position }, true) : "");
      this.setProgress(job.progress || 0, null);
      this.root.dataset.job = job.id;
      if (!this.readOnly) window.platform.runs.watch(job, this.lab.title); // told on any page when it ends, if not seen here
      // The form and the line above the charts say which settings the run on display has.
      this.fill(job.params);
      this.runLine.textContent = interpolate(gettext("Run #%(n)s: %(settings)s"), { n: job.id, settings: this.settings(job.params) }, true);
      // A run of a learner's own function (a code exercise: a gradient step, a loss) says whose function trained it.
      const code = job.params.learner_code;
      if (code) this.runLine.textContent += " · " + interpolate(gettext("trained with the function %(author)s wrote (exercise %(exercise)s)"), { author: code.author, exercise: code.exercise }, true);
      // Causal attention trains the GPT, a convolution and max-pool the CNN, through the model's own
      // back-propagation: the line says how.
      if (code && code.exercise === "causal-attention") this.runLine.textContent += " · " + gettext("the attention weights of every layer are that function's, back-propagated as the exact derivative of softmax attention at them");
      // So does the recurrent cell: the RNN's states are the function's, the gradient through time the model's.
      if (code && code.exercise === "rnn-cell-step") this.runLine.textContent += " · " + gettext("every state of the plain RNN is that function's, back-propagated through time as the exact derivative of the cell at them");
      if (code && code.exercise === "conv2d-max-pool") this.runLine.textContent += " · " + gettext("both convolutions and both max-pools are that code's conv2d and max_pool2x2, back-propagated as the exact derivatives of a convolution and a max-pool at their outputs");
      this.runLine.hidden = false;
      const source = new EventSource(job.events_url);
      this.source = source;
      const on = (name, handler) => source.addEventListener(name, (event) => handler(JSON.parse(event.data)));
      on("queued", (d) => this.setState("queued", interpolate(gettext("position in queue: %(n)s"), { n: d.position }, true)));
      // A run whose worker was lost or stopped waits in the queue again, then goes on on another worker.
      on("status", (d) => d.status === "queued"
        ? this.setState("queued", gettext("Its worker stopped: the run goes on on another worker."))
        : this.setState("running", interpolate(gettext("on %(device)s"), { device: d.device }, true) + (d.attempt > 1 ? " · " + interpolate(gettext("attempt %(n)s"), { n: d.attempt }, true) : "")));
      on("progress", (d) => this.progress(d));
      // From a checkpoint the charts go on where they were; otherwise the run starts again from step 0.
      on("restart", (d) => {
        const resumed = d.resumed_from !== null && d.resumed_from !== undefined;
        if (!resumed) this.reset();
        this.progressRow.hidden = false;
        this.setState("running", resumed ? interpolate(gettext("Resumed on another worker, from step %(step)s."), { step: d.resumed_from }, true) : gettext("Resumed on another worker, from the beginning."));
      });
      on("snapshot", (d) => { this.reset(); this.progress({ points: d.points, frame: d.frame, progress: d.status === "succeeded" ? 1 : 0 }); this.end(d); });
      on("end", (d) => {
        if (d.metrics !== undefined) this.end(d);
        // The live stream's reason is in the words of the run's own language; the API has the reader's.
        if (d.error) api(`/api/jobs/${job.id}/`).then(({ ok, body }) => { if (ok && this.job === job && body.error) this.detail.textContent = body.error; });
        source.close();
        this.loadRuns(false);
      });
      source.onerror = () => { if (source.readyState === EventSource.CLOSED) this.detail.textContent = gettext("Connection lost."); };
    }

    progress(batch) {
      if (this.root.dataset.status !== "running" && batch.points && batch.points.length) this.setState("running", this.detail.textContent);
      const points = batch.points || [];
      for (const chart of this.chartObjects) chart.add(points);
      if (points.length) this.showParams(points[points.length - 1]);
      if (batch.progress !== undefined) this.setProgress(batch.progress, batch.eta_s);
      if (batch.frame) this.draw(batch.frame);
    }

    showParams(point) {
      this.params.replaceChildren();
      this.params.hidden = false;
      for (const [name, value] of Object.entries(point)) {
        const item = document.createElement("div");
        item.dataset.name = name;
        const label = document.createElement("span");
        label.textContent = this.label(name);
        item.append(label, format(value));
        this.params.append(item);
      }
    }

    draw(frame) {
      for (const [kind, value] of Object.entries(frame || {})) {
        if (window.LabVisuals[kind]) {
          this.visuals.hidden = false; // first: a drawing takes its size from its box
          window.LabVisuals[kind](this.visuals, value, this.label);
        }
      }
    }

    end(data) {
      if (this.job) this.ended(this.job, data);
      this.setState(data.status, data.error || (data.device ? interpolate(gettext("on %(device)s"), { device: data.device }, true) + (data.seconds ? " · " + seconds(data.seconds) : "") : ""));
      if (data.visuals) this.draw(data.visuals);
      this.showMetrics(data.metrics || {});
    }

    // The run on display has ended: no page needs to tell of it again; a learner looking at another tab who
    // asked for it gets the browser's notification.
    ended(job, data) {
      if (this.readOnly) return;
      window.platform.runs.seen(job.id);
      if (!document.hidden || !window.platform.runs.notifyWanted() || !ACTIVE.includes(this.root.dataset.status)) return;
      const text = interpolate(gettext("Your run #%(n)s (%(lab)s) has ended: %(status)s."), { n: job.id, lab: this.lab.title, status: STATES[data.status] || data.status }, true);
      new Notification(text, { tag: `run-${job.id}` }).addEventListener("click", () => window.focus());
    }

    showMetrics(metrics) {
      this.metrics.replaceChildren();
      // A matrix is drawn as a table among the visuals; here only numbers, words and yes/no.
      const flat = Object.entries(metrics).filter(([, v]) => typeof v !== "object" || v === null);
      const nested = Object.entries(metrics).filter(([, v]) => v && typeof v === "object" && !Array.isArray(v));
      this.metrics.hidden = !flat.length && !nested.length;
      if (this.metrics.hidden) return;
      const value = (v) => (typeof v === "boolean" ? (v ? gettext("yes") : gettext("no")) : format(v));
      const title = document.createElement(titleTag(this.root));
      title.textContent = gettext("Final metrics");
      const list = document.createElement("dl");
      for (const [name, v] of flat) {
        const dt = document.createElement("dt"); dt.textContent = this.label(name);
        const dd = document.createElement("dd"); dd.textContent = value(v);
        list.append(dt, dd);
      }
      for (const [group, values] of nested) {
        for (const [name, v] of Object.entries(values).filter(([, x]) => typeof x !== "object" || x === null)) {
          const dt = document.createElement("dt"); dt.textContent = this.label(group) + " · " + this.label(name);
          const dd = document.createElement("dd"); dd.textContent = value(v);
          list.append(dt, dd);
        }
      }
      this.metrics.append(title, list);
    }

    async loadRuns(resume) {
      if (this.readOnly) return; // a member's run, watched: not the watcher's own runs
      if (!(await window.platform.signedIn())) return; // a visitor has no runs to list
      const { ok, body } = await api(`/api/jobs/?lab=${encodeURIComponent(this.lab.slug)}&mine=1`);
      if (!ok) return;
      const runs = body.results || body;
      if (resume) {
        // A link to one run (?run=12: the dashboard's, a notice's) shows that run; else the one in progress,
        // else the latest, unless the link carried settings of its own.
        const wanted = Number(new URLSearchParams(window.location.search).get("run"));
        let shown = wanted ? runs.find((j) => j.id === wanted) : null;
        if (wanted && !shown) {
          const asked = await api(`/api/jobs/${wanted}/`);
          if (asked.ok && asked.body.lab === this.lab.slug) shown = asked.body;
        }
        const live = shown || runs.find((j) => ACTIVE.includes(j.status)) || (this.preset ? null : runs[0]);
        if (live) this.follow(live);
      }
      if (!this.runs) return;
      const tbody = this.runs.querySelector("tbody");
      tbody.replaceChildren();
      for (const job of runs) {
        const row = tbody.insertRow();
        const pick = document.createElement("input");
        pick.type = "checkbox"; pick.value = job.id; pick.setAttribute("aria-label", interpolate(gettext("Compare run %(n)s"), { n: job.id }, true));
        row.insertCell().append(pick);
        row.insertCell().textContent = "#" + job.id;
        row.insertCell().textContent = (STATES[job.status] || job.status) + (job.seconds ? " · " + seconds(job.seconds) : "");
        row.insertCell().textContent = this.settings(job.params, true);
        const result = Object.entries(job.metrics || {}).filter(([, v]) => typeof v === "number").slice(0, 2);
        row.insertCell().textContent = result.map(([k, v]) => `${this.label(k)} ${format(v)}`).join(" · ") || job.error || "";
        const links = row.insertCell();
        if (["succeeded", "diverged", "stopped"].includes(job.status)) {
          // A diverged run's CSV holds the points up to the divergence; it has no weights worth keeping.
          const files = [[`/api/jobs/${job.id}/metrics.csv`, "CSV"], ...(job.status !== "diverged" ? [[`/api/jobs/${job.id}/weights`, gettext("weights")]] : [])];
          for (const [href, text] of files) {
            const a = document.createElement("a"); a.href = href; a.textContent = text; a.setAttribute("download", "");
            links.append(a, " ");
          }
        }
      }
    }

    async compare() {
      const ids = [...this.runs.querySelectorAll("tbody input:checked")].map((c) => c.value);
      const box = this.runs.querySelector(".compare-chart");
      box.replaceChildren();
      if (ids.length < 1) { box.hidden = false; box.textContent = gettext("Choose at least one run to compare."); return; }
      const jobs = (await Promise.all(ids.map((id) => api(`/api/jobs/${id}/?history=1`)))).filter((r) => r.ok).map((r) => r.body);
      const series = this.lab.charts[0].series[0];
      const log = this.lab.charts[0].log_y;
      const steps = [...new Set(jobs.flatMap((j) => j.history.filter((p) => series in p).map((p) => p.step)))].sort((a, b) => a - b);
      const data = [steps, ...jobs.map((j) => {
        const byStep = new Map(j.history.filter((p) => series in p).map((p) => [p.step, p[series]]));
        // A gap, not a zero, where a run has no finite value (a log scale has no place for 0 or below).
        return steps.map((s) => { const v = byStep.get(s); return Number.isFinite(v) && (!log || v > 0) ? v : null; });
      })];
      box.hidden = false;
      const title = document.createElement(titleTag(this.root));
      title.textContent = interpolate(gettext("Compared: %(series)s"), { series: this.label(series) }, true);
      box.append(title);
      new uPlot({
        width: Math.max(200, box.clientWidth - 16), height: 240,
        scales: { x: { time: false }, y: this.lab.charts[0].log_y ? { distr: 3 } : {} },
        axes: [{ stroke: css("--muted") }, valueAxis(this.lab.charts[0].log_y, {})],
        series: [{ label: this.label("step") }, ...jobs.map((j, i) => ({
          label: "#" + j.id + " " + this.settings(j.params, true),
          stroke: css(COLORS[i % COLORS.length]), width: 2, spanGaps: true,
        }))],
        legend: { live: false },
      }, data, box);
      box.dataset.runs = String(jobs.length);
    }
  }

  document.querySelectorAll("[data-lab]").forEach((root) => {
    root.labWidget = new LabWidget(root);
  });
})();
