// The concept map: the concepts and their relations as an interactive graph (Cytoscape.js, vendored).
(function () {
  "use strict";
  const container = document.getElementById("concept-map");
  const data = JSON.parse(document.getElementById("concept-graph").textContent);
  const styles = getComputedStyle(document.documentElement);
  const color = (name) => styles.getPropertyValue(name).trim();
  const edgeColors = {
    "is-a": color("--series-1"), "part-of": color("--series-4"), "uses": color("--series-2"),
    "applied-in": color("--series-3"), "related-to": color("--muted"),
  };
  document.querySelectorAll(".map-legend span").forEach((swatch) => {
    swatch.style.background = edgeColors[swatch.className.replace("edge-", "")];
  });
  const degree = (id) => data.edges.filter((e) => e.source === id || e.target === id).length;
  const LABEL_PX = 13; // on screen, at the map's first zoom (never under 12 px, the size a label stays readable)
  const cy = cytoscape({
    container,
    elements: [
      ...data.nodes.map((n) => ({ data: { id: n.id, label: n.label, url: n.url, definition: n.definition, degree: degree(n.id) } })),
      ...data.edges.map((e, i) => ({ data: { id: "e" + i, source: e.source, target: e.target, kind: e.kind, label: e.label } })),
    ],
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": LABEL_PX, "color": color("--text"), "text-valign": "bottom", "text-margin-y": 4,
        "background-color": color("--accent"), "width": "mapData(degree, 1, 10, 14, 34)", "height": "mapData(degree, 1, 10, 14, 34)",
        "text-outline-color": color("--surface"), "text-outline-width": 2 } },
      { selector: "node.mastered", style: { "background-color": color("--good"), "border-width": 3, "border-color": color("--good-soft") } },
      { selector: "node:selected", style: { "background-color": color("--focus"), "border-width": 3, "border-color": color("--text") } },
      { selector: "edge", style: {
        "width": 1.6, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.9,
        "line-color": (e) => edgeColors[e.data("kind")], "target-arrow-color": (e) => edgeColors[e.data("kind")],
        "label": "", "font-size": LABEL_PX, "color": color("--muted"), "text-rotation": "autorotate",
        "text-background-color": color("--surface"), "text-background-opacity": 1 } },
      // A relation's words show for the chosen concept only: on all forty edges they would cover the map.
      { selector: "edge.named", style: { "label": "data(label)" } },
      { selector: ".faded", style: { "opacity": 0.15 } },
    ],
  });
  cy.layout({
    name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true, padding: 24,
    nodeRepulsion: () => 60000, idealEdgeLength: () => 60, edgeElasticity: () => 120, gravity: 1.2, numIter: 3000,
  }).run();
  // Labels at LABEL_PX on screen whatever zoom fits the map in its box; on a phone, where fitting would
  // make them tiny, the map opens at a zoom that keeps them readable and is panned from there.
  const fitted = cy.zoom();
  const zoom = Math.max(fitted, 0.6);
  cy.style().selector("node").style("font-size", LABEL_PX / zoom).selector("edge").style("font-size", LABEL_PX / zoom).update();
  if (zoom !== fitted) { cy.zoom(zoom); cy.center(); }
  container.cy = cy; // for the browser tests
  const status = document.getElementById("concept-map-selected");
  function focus(node) {
    cy.elements().addClass("faded");
    cy.edges().removeClass("named");
    node.closedNeighborhood().removeClass("faded");
    node.connectedEdges().addClass("named");
    status.innerHTML = "";
    const link = document.createElement("a");
    link.href = node.data("url");
    link.textContent = node.data("label");
    status.append(link, " — " + node.data("definition"));
  }
  cy.on("tap", "node", (event) => focus(event.target));
  cy.on("dbltap", "node", (event) => { window.location.href = event.target.data("url"); });
  cy.on("tap", (event) => { if (event.target === cy) { cy.elements().removeClass("faded named"); status.textContent = ""; } });
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  if (wanted && cy.getElementById(wanted).length) {
    const node = cy.getElementById(wanted);
    node.select();
    focus(node);
    cy.animate({ fit: { eles: node.closedNeighborhood(), padding: 60 } }, { duration: 300 });
  }
  container.dataset.ready = String(cy.nodes().length);

  // A signed-in learner sees which concepts they have mastered (from the quiz questions and experiments tied
  // to each); nobody else asks, and the map stays as it is.
  window.platform.signedIn()
    .then((member) => member && fetch("/api/concepts/mastery/", { credentials: "same-origin", headers: { Accept: "application/json" } }))
    .then((response) => (response && response.ok ? response.json() : null))
    .then((states) => {
      if (!states) return;
      const mastered = Object.keys(states).filter((slug) => states[slug].state === "mastered");
      for (const slug of mastered) {
        cy.getElementById(slug).addClass("mastered");
        const badge = document.querySelector(`[data-mastered="${CSS.escape(slug)}"]`);
        if (badge) badge.hidden = false;
      }
      document.querySelector(".mastered-key").hidden = false;
      document.querySelector(".node-mastered").style.background = color("--good");
      const summary = document.getElementById("concept-map-mastery");
      const gettext = (text) => (window.gettext ? window.gettext(text) : text);
      summary.textContent = gettext("Mastered: %(n)s of %(total)s concepts (all the quiz questions tied to them answered right).")
        .replace("%(n)s", mastered.length).replace("%(total)s", Object.keys(states).length);
      container.dataset.mastered = String(mastered.length);
    });
})();
