// Drawings of what a lab reports besides its curves: fitted lines, decision boundaries, filters,
// predictions, confusion matrices, per-class recall, sequences and per-layer gradient norms. Each takes a container and a frame.
(function () {
  "use strict";
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  // A title under the lab's own heading: h2 on the lab's page (under its h1), h4 in a lesson (under the lab's h3).
  const titleTag = (inside) => "h" + ((inside.closest && inside.closest("[data-heading-level]")?.dataset.headingLevel) || 4);
  function panel(container, key, title) {
    let box = container.querySelector(`[data-visual="${key}"]`);
    if (!box) {
      box = document.createElement("figure");
      box.className = "visual";
      box.dataset.visual = key;
      const heading = document.createElement(titleTag(container));
      heading.textContent = title;
      box.append(heading);
      container.append(box);
    }
    return box;
  }

  function canvas(box, width, height, label) {
    let c = box.querySelector("canvas");
    if (!c) {
      c = document.createElement("canvas");
      c.setAttribute("role", "img");
      box.append(c);
    }
    c.width = width;
    c.height = height;
    c.setAttribute("aria-label", label);
    return c;
  }

  // A key's words when the lab page passes its names (visuals.js also stands alone, then keys show).
  const plain = (key) => key;

  // "1.5", "0.25", "-3": tick labels short enough for a small plot.
  const tick = (v) => String(+v.toPrecision(3));

  // Frames a plot on a canvas: the area inside the axes, tick labels on both axes and the axes' names.
  // Returns the functions that map data to pixels. Text is drawn at 12 px of the canvas's own size.
  function axes(c, [x0, x1, y0, y1], xName, yName) {
    const g = c.getContext("2d");
    const ratio = Number(c.dataset.ratio) || 1; // drawn in CSS pixels on a canvas sized for the screen
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    c = { width: c.width / ratio, height: c.height / ratio };
    const left = 66, right = 12, top = 10, bottom = 40;
    const px = (x) => left + ((x - x0) / (x1 - x0)) * (c.width - left - right);
    const py = (y) => c.height - bottom - ((y - y0) / (y1 - y0)) * (c.height - top - bottom);
    g.clearRect(0, 0, c.width, c.height);
    g.font = `12px ${css("--font") || "sans-serif"}`;
    g.fillStyle = css("--muted");
    g.strokeStyle = css("--border");
    g.lineWidth = 1;
    g.strokeRect(left, top, c.width - left - right, c.height - top - bottom);
    const ticks = (a, b) => Array.from({ length: 5 }, (_, i) => a + ((b - a) * i) / 4);
    g.textAlign = "center"; g.textBaseline = "top";
    for (const x of ticks(x0, x1)) {
      g.beginPath(); g.moveTo(px(x), c.height - bottom); g.lineTo(px(x), c.height - bottom + 4); g.stroke();
      g.fillText(tick(x), px(x), c.height - bottom + 6);
    }
    g.fillText(xName, left + (c.width - left - right) / 2, c.height - 16);
    g.textAlign = "right"; g.textBaseline = "middle";
    for (const y of ticks(y0, y1)) {
      g.beginPath(); g.moveTo(left - 4, py(y)); g.lineTo(left, py(y)); g.stroke();
      g.fillText(tick(y), left - 6, py(y));
    }
    g.save();
    g.translate(10, top + (c.height - top - bottom) / 2); g.rotate(-Math.PI / 2);
    g.textAlign = "center"; g.textBaseline = "middle";
    g.fillText(yName, 0, 0);
    g.restore();
    return [px, py, g];
  }

  // What each colour means, under the drawing: [[words, colour, "dot" | "line"], ...].
  function legend(box, items) {
    let list = box.querySelector(".legend");
    if (!list) { list = document.createElement("ul"); list.className = "legend"; box.append(list); }
    list.replaceChildren();
    for (const [words, color, shape] of items) {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch " + shape;
      swatch.style.background = color;
      item.append(swatch, words);
      list.append(item);
    }
  }

  // A canvas as wide as its box on this screen (so 12 px of text is 12 px), `aspect` high within limits.
  function sharpCanvas(box, aspect, label) {
    const c = canvas(box, 1, 1, label);
    const width = Math.max(200, box.clientWidth - 16);
    const ratio = window.devicePixelRatio || 1;
    c.width = Math.round(width * ratio);
    c.height = Math.round(Math.min(340, Math.max(200, width * aspect)) * ratio); // no taller than a screen's third
    c.dataset.ratio = String(ratio);
    c.classList.add("sharp"); // drawn for the screen's pixels: no pixelated scaling
    return c;
  }

  function bounds(points) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const [x, y] of points) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    const padY = (y1 - y0) * 0.08 || 0.5;
    return [x0, x1 === x0 ? x0 + 1 : x1, y0 - padY, y1 + padY];
  }

  // The part of the segment a–b inside the box [x0, x1, y0, y1] (Liang–Barsky), or null if none is.
  function clip([ax, ay], [bx, by], [x0, x1, y0, y1]) {
    const dx = bx - ax, dy = by - ay;
    let t0 = 0, t1 = 1;
    for (const [p, q] of [[-dx, ax - x0], [dx, x1 - ax], [-dy, ay - y0], [dy, y1 - ay]]) {
      if (p === 0) { if (q < 0) return null; continue; }
      const t = q / p;
      if (p < 0) t0 = Math.max(t0, t); else t1 = Math.min(t1, t);
      if (t0 > t1) return null;
    }
    return [[ax + t0 * dx, ay + t0 * dy], [ax + t1 * dx, ay + t1 * dy]];
  }

  // Data points and the model's curve (linear regression's line, overfitting's wiggle).
  function fit(container, frame) {
    const box = panel(container, "fit", gettext("Data and the model's fit"));
    const c = sharpCanvas(box, 0.62, gettext("The training points and the curve the model has learned so far."));
    const finite = (points) => (points || []).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    // The data sets the axes: a model far off (a run about to diverge) is drawn as the steep line it is,
    // cut at the plot's edges, instead of squashing the data into a line.
    const data = [...finite(frame.train), ...finite(frame.val)];
    const all = data.length ? data : finite(frame.curve);
    if (!all.length) return;
    const box4 = bounds(all);
    const [px, py, g] = axes(c, box4, "x", "y");
    const dots = (points, color, r) => {
      g.fillStyle = color;
      for (const [x, y] of points || []) { g.beginPath(); g.arc(px(x), py(y), r, 0, 2 * Math.PI); g.fill(); }
    };
    g.globalAlpha = 0.35; dots(frame.val, css("--muted"), 2.2); g.globalAlpha = 1;
    dots(frame.train, css("--series-1"), 3.2);
    const curve = finite(frame.curve).sort((a, b) => a[0] - b[0]);
    g.strokeStyle = css("--series-2"); g.lineWidth = 2.5; g.beginPath();
    for (let i = 1; i < curve.length; i++) {
      const piece = clip(curve[i - 1], curve[i], box4);
      if (piece) { g.moveTo(px(piece[0][0]), py(piece[0][1])); g.lineTo(px(piece[1][0]), py(piece[1][1])); }
    }
    g.stroke();
    const items = [[gettext("training points"), css("--series-1"), "dot"]];
    if (frame.val && frame.val.length) items.push([gettext("held-out points"), css("--muted"), "dot"]);
    items.push([gettext("the model's curve"), css("--series-2"), "line"]);
    legend(box, items);
  }

  // One heat map per model: the probability of class 1 over the plane, with the training points.
  function boundary(container, frame, label = plain) {
    const n = frame.size;
    const [x0, x1, y0, y1] = frame.extent;
    for (const [name, grid] of Object.entries(frame.models)) {
      const words = label(name);
      const box = panel(container, "boundary-" + name, interpolate(gettext("Decision boundary: %(name)s"), { name: words }, true));
      const c = canvas(box, 240, 240, interpolate(gettext("Decision boundary of the network with the %(name)s activation"), { name: words }, true));
      const g = c.getContext("2d");
      const cell = c.width / n;
      for (let row = 0; row < n; row++) {
        for (let col = 0; col < n; col++) {
          const p = grid[row * n + col];
          // Blue for class 0, orange for class 1, pale where the model is unsure.
          const r = Math.round(59 + (232 - 59) * p), gg = Math.round(91 + (89 - 91) * p), b = Math.round(219 + (12 - 219) * p);
          g.fillStyle = `rgba(${r},${gg},${b},${0.25 + 0.5 * Math.abs(p - 0.5)})`;
          g.fillRect(col * cell, row * cell, cell + 0.5, cell + 0.5);
        }
      }
      for (const [x, y, label] of frame.points || []) {
        const cx = ((x - x0) / (x1 - x0)) * c.width, cy = ((y1 - y) / (y1 - y0)) * c.height;
        g.fillStyle = label ? "#e8590c" : "#3b5bdb";
        g.strokeStyle = "#fff";
        g.beginPath(); g.arc(cx, cy, 3, 0, 2 * Math.PI); g.fill(); g.stroke();
      }
    }
  }

  // The first convolution's filters, each a tiny RGB image.
  function filters(container, frame) {
    const box = panel(container, "filters", gettext("Learned filters (first convolution)"));
    const cols = Math.min(8, frame.count), rows = Math.ceil(frame.count / cols);
    const scale = 12, gap = 4, size = frame.size;
    const c = canvas(box, cols * (size * scale + gap), rows * (size * scale + gap), gettext("The learned 3×3 colour filters."));
    const g = c.getContext("2d");
    for (let f = 0; f < frame.count; f++) {
      const ox = (f % cols) * (size * scale + gap), oy = Math.floor(f / cols) * (size * scale + gap);
      for (let r = 0; r < size; r++) {
        for (let k = 0; k < size; k++) {
          const i = ((f * size + r) * size + k) * 3;
          g.fillStyle = `rgb(${frame.rgb[i]},${frame.rgb[i + 1]},${frame.rgb[i + 2]})`;
          g.fillRect(ox + k * scale, oy + r * scale, scale, scale);
        }
      }
    }
  }

  // Held-out images with the label the model gave them.
  function predictions(container, items) {
    const box = panel(container, "predictions", gettext("Predictions on held-out images"));
    let grid = box.querySelector(".predictions");
    if (!grid) { grid = document.createElement("div"); grid.className = "predictions"; box.append(grid); }
    grid.replaceChildren();
    for (const item of items) {
      const cell = document.createElement("div");
      const c = document.createElement("canvas");
      c.width = 32; c.height = 32;
      const image = c.getContext("2d").createImageData(32, 32);
      for (let p = 0; p < 32 * 32; p++) {
        image.data.set([item.image[p * 3], item.image[p * 3 + 1], item.image[p * 3 + 2], 255], p * 4);
      }
      c.getContext("2d").putImageData(image, 0, 0);
      c.style.width = "100%";
      c.setAttribute("role", "img");
      c.setAttribute("aria-label", interpolate(gettext("An image labelled %(label)s"), { label: item.label }, true));
      const caption = document.createElement("div");
      const right = String(item.label) === String(item.predicted);
      caption.className = right ? "" : "wrong";
      caption.textContent = `${item.predicted} (${Math.round(item.confidence * 100)}%)` + (right ? " ✓" : ` ✗ ${item.label}`);
      cell.append(c, caption);
      grid.append(cell);
    }
  }

  function table(box, head, rows) {
    let t = box.querySelector("table");
    if (!t) { t = document.createElement("table"); box.append(t); }
    t.replaceChildren();
    const tr = t.createTHead().insertRow();
    for (const h of head) { const th = document.createElement("th"); th.scope = "col"; th.textContent = h; tr.append(th); }
    const body = t.createTBody();
    for (const row of rows) {
      const r = body.insertRow();
      row.forEach((value, i) => {
        const cell = i === 0 ? document.createElement("th") : r.insertCell();
        if (i === 0) { cell.scope = "row"; r.append(cell); }
        cell.textContent = value;
      });
    }
  }

  function confusion(container, frame, label = plain) {
    const box = panel(container, "confusion", gettext("Confusion matrix (rows: true class, columns: predicted)"));
    const names = frame.labels.map(label);
    table(box, [gettext("true \\ predicted"), ...names], names.map((name, i) => [name, ...frame.matrix[i]]));
  }

  function recall(container, frame, label = plain) {
    const box = panel(container, "recall", gettext("Recall per class on held-out data"));
    table(box, [gettext("Method"), ...frame.classes.map(label)], Object.entries(frame.methods).map(([m, values]) => [label(m), ...values.map((v) => (v * 100).toFixed(1) + "%")]));
  }

  function sequence(container, frame, label = plain) {
    const box = panel(container, "sequence", gettext("Held-out sequence: target and prediction"));
    const series = [["target", frame.target, css("--muted")], ["prediction", frame.prediction, css("--series-2")]];
    if (frame.generated) series.push(["generated", frame.generated, css("--series-3")]);
    const points = frame.t.flatMap((t, i) => series.map(([, ys]) => [t, ys[i]])).filter(([, y]) => Number.isFinite(y));
    const c = sharpCanvas(box, 0.55, gettext("The held-out sequence and the model's predictions."));
    if (!points.length) return;
    const [px, py, g] = axes(c, bounds(points), gettext("time step"), gettext("value"));
    for (const [, ys, color] of series) {
      g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
      let started = false;
      frame.t.forEach((t, i) => {
        if (!Number.isFinite(ys[i])) return;
        if (started) g.lineTo(px(t), py(ys[i])); else { g.moveTo(px(t), py(ys[i])); started = true; }
      });
      g.stroke();
    }
    legend(box, series.map(([key, , color]) => [label(key), color, "line"]));
  }

  // Per network, each layer's weight-gradient norm at the latest step, first hidden layer first: how much of
  // the error signal reaches each layer (activations lab).
  function gradients(container, frame, label = plain) {
    const box = panel(container, "gradients", gettext("Gradient norm per layer (first hidden layer first)"));
    const depth = Math.max(...Object.values(frame).map((values) => values.length));
    const head = [gettext("Network"), ...Array.from({ length: depth }, (_, i) => (i === depth - 1 ? gettext("output") : interpolate(gettext("layer %(n)s"), { n: i + 1 }, true)))];
    table(box, head, Object.entries(frame).map(([name, values]) => [label(name), ...values.map((v) => v.toExponential(1))]));
  }

  window.LabVisuals = { fit, boundary, filters, predictions, confusion, recall, sequence, gradients };
})();
