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
  const cy = cytoscape({
    container,
    elements: [
      ...data.nodes.map((n) => ({ data: { id: n.id, label: n.label, url: n.url, definition: n.definition } })),
      ...data.edges.map((e, i) => ({ data: { id: "e" + i, source: e.source, target: e.target, kind: e.kind, label: e.label } })),
    ],
    style: [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 13, "color": color("--text"), "text-valign": "bottom", "text-margin-y": 4,
        "background-color": color("--accent"), "width": "mapData(degree, 1, 10, 14, 34)", "height": "mapData(degree, 1, 10, 14, 34)",
        "text-outline-color": color("--surface"), "text-outline-width": 2 } },
      { selector: "node:selected", style: { "background-color": color("--focus"), "border-width": 3, "border-color": color("--text") } },
      { selector: "edge", style: {
        "width": 1.6, "curve-style": "bezier", "target-arrow-shape": "triangle", "arrow-scale": 0.9,
        "line-color": (e) => edgeColors[e.data("kind")], "target-arrow-color": (e) => edgeColors[e.data("kind")],
        "label": "data(label)", "font-size": 9, "color": color("--muted"), "text-rotation": "autorotate",
        "text-background-color": color("--surface"), "text-background-opacity": 1 } },
      { selector: ".faded", style: { "opacity": 0.15 } },
    ],
    wheelSensitivity: 0.3,
  });
  cy.nodes().forEach((n) => n.data("degree", n.degree()));
  cy.layout({
    name: "cose", animate: false, randomize: true, nodeDimensionsIncludeLabels: true, padding: 24,
    nodeRepulsion: () => 60000, idealEdgeLength: () => 60, edgeElasticity: () => 120, gravity: 1.2, numIter: 3000,
  }).run();
  const status = document.getElementById("concept-map-selected");
  function focus(node) {
    cy.elements().addClass("faded");
    node.closedNeighborhood().removeClass("faded");
    status.innerHTML = "";
    const link = document.createElement("a");
    link.href = node.data("url");
    link.textContent = node.data("label");
    status.append(link, " — " + node.data("definition"));
  }
  cy.on("tap", "node", (event) => focus(event.target));
  cy.on("dbltap", "node", (event) => { window.location.href = event.target.data("url"); });
  cy.on("tap", (event) => { if (event.target === cy) { cy.elements().removeClass("faded"); status.textContent = ""; } });
  const wanted = decodeURIComponent(window.location.hash.slice(1));
  if (wanted && cy.getElementById(wanted).length) {
    const node = cy.getElementById(wanted);
    node.select();
    focus(node);
    cy.animate({ fit: { eles: node.closedNeighborhood(), padding: 60 } }, { duration: 300 });
  }
  container.dataset.ready = String(cy.nodes().length);
})();
