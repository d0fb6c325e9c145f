// The lab wall: one EventSource for the whole class (classes/wall.py); a table, the loss curves overlaid and a
// small chart per learner, with flags as they happen. A `wall` event replaces everything (after any reconnect);
// a `member` event updates one row and appends its new points.
(function () {
  "use strict";
  const root = document.querySelector(".wall");
  if (!root) return;
  const lab = JSON.parse(document.getElementById("wall-lab").textContent);
  const log = Boolean(lab.charts[0] && lab.charts[0].log_y);
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  const COLORS = ["--series-1", "--series-2", "--series-3", "--series-4"];
  const STATES = {
    not_started: gettext("Not started"), queued: gettext("Queued"), running: gettext("Running"), succeeded: gettext("Succeeded"),
    failed: gettext("Failed"), cancelled: gettext("Cancelled"), diverged: gettext("Diverged"), stopped: gettext("Stopped at the time limit"),
  };
  const FLAGS = {
    diverged: [gettext("Diverged"), "bad"], stuck: [gettext("Stuck"), "warn"], not_started: [gettext("Not started"), ""],
    finished: [gettext("Finished"), "good"], passed: [gettext("Passed"), "good"], not_yet: [gettext("Not yet"), ""],
  };
  const URGENT = ["diverged", "stuck"];
  const tbody = root.querySelector("tbody");
  const overlayBox = root.querySelector(".wall-overlay");
  const multiples = root.querySelector(".wall-multiples");
  const statusLine = root.querySelector(".wall-status");
  const summary = root.querySelector(".wall-summary");
  const alerts = root.querySelector("[data-wall-alerts]");
  const queueLine = root.querySelector(".wall-queue");
  const rows = new Map(); // learner id -> { data, points: Map(step -> loss), tr, li, plot }
  let overlay = null;
  let drawPending = false;

  function format(v) {
    if (v === null || v === undefined) return "–";
    return Math.abs(v) >= 1000 || (v !== 0 && Math.abs(v) < 0.001) ? v.toExponential(2) : v.toFixed(4);
  }
  const usable = (v) => (v === null || v === undefined || !Number.isFinite(v) || (log && v <= 0) ? null : v);
  const color = (i) => css(COLORS[i % COLORS.length]);

  function badges(flags) {
    const box = document.createElement("span");
    box.className = "flags";
    for (const f of flags) {
      const [text, kind] = FLAGS[f] || [f, ""];
      const b = document.createElement("span");
      b.className = "badge " + kind;
      b.dataset.flag = f;
      b.textContent = text;
      box.append(b, " ");
    }
    return box;
  }

  function render(row) {
    const d = row.data;
    if (!row.tr) {
      row.tr = document.createElement("tr");
      row.li = document.createElement("li");
      row.li.className = "wall-small";
    }
    row.tr.dataset.learner = d.learner;
    row.tr.dataset.flags = d.flags.join(" ");
    row.tr.replaceChildren();
    const who = document.createElement("th");
    who.scope = "row";
    if (d.run_url) {
      const a = document.createElement("a");
      a.href = d.run_url;
      a.textContent = d.name;
      a.title = gettext("Open this run as the learner sees it");
      who.append(a);
    } else who.textContent = d.name;
    const state = (STATES[d.status] || d.status) + (d.queue_position ? " · " + interpolate(gettext("position in queue: %(n)s"), { n: d.queue_position }, true) : "");
    const cells = [state, badges(d.flags), d.step === null ? "–" : String(d.step), format(d.loss), d.changed || (d.job ? gettext("default settings") : "–")];
    row.tr.append(who, ...cells.map((c) => { const td = document.createElement("td"); td.append(c); return td; }));
    row.tr.querySelector("td:nth-child(3)").className = "flags-cell";

    const heading = row.li.querySelector("h3") || document.createElement("h3");
    heading.replaceChildren();
    if (d.run_url) {
      const a = document.createElement("a"); a.href = d.run_url; a.textContent = d.name; heading.append(a);
    } else heading.textContent = d.name;
    heading.append(" ", badges(d.flags));
    if (!heading.parentNode) row.li.append(heading);
    row.li.dataset.flags = d.flags.join(" ");
    drawSmall(row);
  }

  function series(row) {
    const steps = [...row.points.keys()].sort((a, b) => a - b);
    return [steps, steps.map((s) => usable(row.points.get(s)))];
  }

  function drawSmall(row) {
    if (typeof uPlot === "undefined") return;
    const data = series(row);
    if (!row.plot) {
      const box = document.createElement("div");
      box.className = "chart";
      row.li.append(box);
      row.plot = new uPlot({
        width: Math.max(140, box.clientWidth || 200), height: 110,
        scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
        axes: [{ show: false }, { size: 40, stroke: css("--muted"), values: (u, v) => v.map((x) => (x === null ? "" : Number(x).toPrecision(1))) }],
        series: [{}, { stroke: css("--series-1"), width: 1.5, spanGaps: true, points: { show: false } }],
        legend: { show: false }, cursor: { show: false },
      }, data, box);
      new ResizeObserver(() => { const w = Math.max(140, box.clientWidth); if (w !== row.plot.width) row.plot.setSize({ width: w, height: 110 }); }).observe(box);
    } else row.plot.setData(data);
    row.li.dataset.points = String(data[0].length);
  }

  function drawOverlay() {
    drawPending = false;
    if (typeof uPlot === "undefined") return;
    const list = [...rows.values()].filter((r) => r.points.size);
    const steps = [...new Set(list.flatMap((r) => [...r.points.keys()]))].sort((a, b) => a - b);
    const data = [steps, ...list.map((r) => steps.map((s) => (r.points.has(s) ? usable(r.points.get(s)) : null)))];
    const names = list.map((r) => r.data.learner).join(",");
    if (overlay && overlay.names === names) { overlay.setData(data); return; }
    if (overlay) overlay.destroy();
    overlayBox.replaceChildren();
    overlay = new uPlot({
      width: Math.max(240, overlayBox.clientWidth - 16), height: Math.min(420, Math.max(220, window.innerHeight * 0.4)),
      scales: { x: { time: false }, y: log ? { distr: 3 } : {} },
      axes: [{ stroke: css("--muted") }, { stroke: css("--muted"), size: 64 }],
      series: [{ label: gettext("step") }, ...list.map((r, i) => ({ label: r.data.name, stroke: color(i), width: r.data.flags.includes("diverged") ? 3 : 1.5, spanGaps: true, points: { show: false } }))],
      legend: { live: false },
    }, data, overlayBox);
    overlay.names = names;
    overlayBox.dataset.series = String(list.length);
  }
  new ResizeObserver(() => { if (overlay) overlay.setSize({ width: Math.max(240, overlayBox.clientWidth - 16), height: overlay.height }); }).observe(overlayBox);

  function schedule() {
    if (!drawPending) { drawPending = true; setTimeout(drawOverlay, 250); }
  }

  function summarise() {
    const counts = {};
    for (const r of rows.values()) for (const f of r.data.flags) counts[f] = (counts[f] || 0) + 1;
    const running = [...rows.values()].filter((r) => r.data.status === "running").length;
    summary.textContent = interpolate(gettext("%(members)s learners · %(running)s running · %(diverged)s diverged · %(stuck)s stuck · %(idle)s not started"), {
      members: rows.size, running, diverged: counts.diverged || 0, stuck: counts.stuck || 0, idle: counts.not_started || 0,
    }, true);
  }

  function update(d, whole) {
    let row = rows.get(d.learner);
    const before = row ? row.data.flags : [];
    if (!row) { row = { points: new Map() }; rows.set(d.learner, row); }
    if (d.reset || whole) row.points = new Map();
    for (const [s, v] of d.points) row.points.set(s, v);
    row.data = d;
    render(row);
    if (!whole) {
      // Flags as they happen: a new urgent flag is read out, and its row is marked until the next update.
      const fresh = d.flags.filter((f) => URGENT.includes(f) && !before.includes(f));
      if (fresh.length) {
        alerts.textContent = interpolate(gettext("%(name)s: %(flag)s"), { name: d.name, flag: FLAGS[fresh[0]][0] }, true);
        row.tr.classList.add("fresh");
      } else row.tr.classList.remove("fresh");
      if (d.at) root.dataset.lastEntry = d.at;
    }
    return row;
  }

  function place() {
    // Urgent rows first, then by name: the teacher's eye goes where help is needed.
    const order = [...rows.values()].sort((a, b) => {
      const ua = URGENT.some((f) => a.data.flags.includes(f)) ? 0 : 1;
      const ub = URGENT.some((f) => b.data.flags.includes(f)) ? 0 : 1;
      return ua - ub || a.data.name.localeCompare(b.data.name);
    });
    tbody.append(...order.map((r) => r.tr));
    multiples.append(...order.map((r) => r.li));
  }

  // The queue as the teacher sees it: how many runs wait on the platform, and how many of them are the class's.
  function showQueue(q) {
    if (!q) return;
    queueLine.dataset.waiting = String(q.waiting);
    queueLine.textContent = q.waiting
      ? interpolate(gettext("Queue: %(waiting)s runs waiting to start, %(mine)s of them this class's."), { waiting: q.waiting, mine: q.class_waiting }, true)
      : gettext("Queue: no run is waiting; new runs start at once.");
  }

  const source = new EventSource(root.dataset.events);
  source.addEventListener("queue", (event) => showQueue(JSON.parse(event.data)));
  source.addEventListener("open", () => { statusLine.textContent = gettext("Live"); });
  source.addEventListener("wall", (event) => {
    const data = JSON.parse(event.data);
    rows.clear(); tbody.replaceChildren(); multiples.replaceChildren();
    if (overlay) { overlay.destroy(); overlay = null; }
    for (const d of data.members) update(d, true);
    showQueue(data.queue);
    place(); summarise(); schedule();
    root.dataset.ready = "1";
    if (!data.members.length) summary.textContent = gettext("Nobody has joined this class yet.");
  });
  source.addEventListener("member", (event) => {
    update(JSON.parse(event.data), false);
    place(); summarise(); schedule();
  });
  source.addEventListener("left", (event) => {
    const { learner } = JSON.parse(event.data);
    const row = rows.get(learner);
    if (row) { row.tr.remove(); row.li.remove(); rows.delete(learner); }
    summarise(); schedule();
  });
  source.onerror = () => { statusLine.textContent = source.readyState === EventSource.CLOSED ? gettext("Connection lost.") : gettext("Reconnecting…"); };
})();
