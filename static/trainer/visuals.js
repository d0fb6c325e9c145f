// Drawings of what a lab reports besides its curves: fitted lines, decision boundaries, filters,
// predictions, confusion matrices, per-class recall and sequences. Each takes a container and a frame.
(function () {
  "use strict";
  // Django's JavaScript catalog defines window.gettext; without it the English text shows.
  const gettext = (s) => (window.gettext ? window.gettext(s) : s);
  const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, key) => values[key]);
  const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  function panel(container, key, title) {
    let box = container.querySelector(`[data-visual="${key}"]`);
    if (!box) {
      box = document.createElement("figure");
      box.className = "visual";
      box.dataset.visual = key;
      const heading = document.createElement("h4");
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

  function bounds(points) {
    let [x0, x1, y0, y1] = [Infinity, -Infinity, Infinity, -Infinity];
    for (const [x, y] of points) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
    const padY = (y1 - y0) * 0.08 || 0.5;
    return [x0, x1 === x0 ? x0 + 1 : x1, y0 - padY, y1 + padY];
  }

  // Data points and the model's curve (linear regression's line, overfitting's wiggle).
  function fit(container, frame) {
    const box = panel(container, "fit", gettext("Data and the model's fit"));
    const c = canvas(box, 480, 300, gettext("The training points and the curve the model has learned so far."));
    const g = c.getContext("2d");
    const all = [...(frame.train || []), ...(frame.val || []), ...(frame.curve || [])];
    if (!all.length) return;
    const [x0, x1, y0, y1] = bounds(all);
    const px = (x) => 30 + ((x - x0) / (x1 - x0)) * (c.width - 40);
    const py = (y) => c.height - 20 - ((y - y0) / (y1 - y0)) * (c.height - 30);
    g.clearRect(0, 0, c.width, c.height);
    g.strokeStyle = css("--border");
    g.strokeRect(30, 10, c.width - 40, c.height - 30);
    const dots = (points, color, r) => {
      g.fillStyle = color;
      for (const [x, y] of points || []) { g.beginPath(); g.arc(px(x), py(y), r, 0, 2 * Math.PI); g.fill(); }
    };
    g.globalAlpha = 0.35; dots(frame.val, css("--muted"), 2.2); g.globalAlpha = 1;
    dots(frame.train, css("--series-1"), 3.2);
    const curve = [...(frame.curve || [])].sort((a, b) => a[0] - b[0]);
    g.strokeStyle = css("--series-2"); g.lineWidth = 2.5; g.beginPath();
    curve.forEach(([x, y], i) => (i ? g.lineTo(px(x), py(y)) : g.moveTo(px(x), py(y))));
    g.stroke();
  }

  // One heat map per model: the probability of class 1 over the plane, with the training points.
  function boundary(container, frame) {
    const n = frame.size;
    const [x0, x1, y0, y1] = frame.extent;
    for (const [name, grid] of Object.entries(frame.models)) {
      const box = panel(container, "boundary-" + name, fill(gettext("Decision boundary: %(name)s"), { name }));
      const c = canvas(box, 240, 240, fill(gettext("Decision boundary of the network with the %(name)s activation"), { name }));
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
      c.setAttribute("aria-label", fill(gettext("An image labelled %(label)s"), { label: item.label }));
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

  function confusion(container, frame) {
    const box = panel(container, "confusion", gettext("Confusion matrix (rows: true class, columns: predicted)"));
    table(box, ["", ...frame.labels], frame.labels.map((label, i) => [label, ...frame.matrix[i]]));
  }

  function recall(container, frame) {
    const box = panel(container, "recall", gettext("Recall per class on held-out data"));
    table(box, ["", ...frame.classes], Object.entries(frame.methods).map(([m, values]) => [m, ...values.map((v) => (v * 100).toFixed(1) + "%")]));
  }

  function sequence(container, frame) {
    const box = panel(container, "sequence", gettext("Held-out sequence: target and prediction"));
    const series = [["target", frame.target, css("--muted")], ["prediction", frame.prediction, css("--series-2")]];
    if (frame.generated) series.push(["generated", frame.generated, css("--series-3")]);
    const points = frame.t.flatMap((t, i) => series.map(([, ys]) => [t, ys[i]])).filter(([, y]) => y !== null && y !== undefined);
    const c = canvas(box, 480, 220, gettext("The held-out sequence and the model's predictions."));
    const g = c.getContext("2d");
    const [x0, x1, y0, y1] = bounds(points);
    const px = (x) => 10 + ((x - x0) / (x1 - x0)) * (c.width - 20);
    const py = (y) => c.height - 10 - ((y - y0) / (y1 - y0)) * (c.height - 20);
    for (const [, ys, color] of series) {
      g.strokeStyle = color; g.lineWidth = 2; g.beginPath();
      let started = false;
      frame.t.forEach((t, i) => {
        if (ys[i] === null || ys[i] === undefined) return;
        if (started) g.lineTo(px(t), py(ys[i])); else { g.moveTo(px(t), py(ys[i])); started = true; }
      });
      g.stroke();
    }
  }

  window.LabVisuals = { fit, boundary, filters, predictions, confusion, recall, sequence };
})();
