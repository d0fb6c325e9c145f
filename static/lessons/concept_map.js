// The concept map, drawn on the server (lessons/conceptmap.py): this only highlights. Pointing at a concept or
// reaching it with Tab lights it, its neighbours and its relations (the rest fades), names the relations, and
// puts the concept and its definition in the line under the map. A concept named in the address (#slug, as
// concept pages link here) is lit on arrival and scrolled into view.
(function () {
  "use strict";
  const frame = document.getElementById("concept-map");
  const svg = frame.querySelector("svg");
  const status = document.getElementById("concept-map-selected");
  const nodes = new Map([...svg.querySelectorAll(".node")].map((node) => [node.dataset.concept, node]));
  let told = null;

  function light(slug) {
    svg.querySelectorAll(".near, .named, .chosen").forEach((e) => e.classList.remove("near", "named", "chosen"));
    const node = nodes.get(slug);
    svg.classList.toggle("focusing", Boolean(node));
    if (!node) return;
    node.classList.add("near", "chosen");
    const ends = `[data-from="${CSS.escape(slug)}"], [data-to="${CSS.escape(slug)}"]`;
    for (const part of svg.querySelectorAll(ends)) {
      part.classList.add(part.matches("line") ? "near" : "named"); // a line, or its words
      nodes.get(part.dataset.from === slug ? part.dataset.to : part.dataset.from).classList.add("near");
    }
  }

  function show(slug) {
    light(slug);
    if (slug === told) return; // the live line speaks only when it changes
    told = slug;
    const link = document.createElement("a");
    link.href = nodes.get(slug).getAttribute("href");
    link.textContent = nodes.get(slug).textContent;
    // its definition, as the list below gives it ("— …")
    const definition = document.getElementById("concept-" + slug).querySelector(":scope > .muted");
    status.replaceChildren(link, " " + definition.textContent);
  }

  const addressed = () => window.location.hash.slice(1); // a slug: nothing in it to decode
  const at = (event) => event.target.closest(".node");
  function rest() { // back to the concept that has the keyboard's focus, else to the address's
    const focused = document.activeElement.closest(".node");
    light(focused ? focused.dataset.concept : addressed());
  }

  // A touch opens the concept at once (the link), with no highlight first.
  svg.addEventListener("pointerover", (event) => { if (at(event) && event.pointerType !== "touch") show(at(event).dataset.concept); });
  svg.addEventListener("pointerout", (event) => { if (at(event)) rest(); });
  svg.addEventListener("focusin", (event) => { if (at(event)) show(at(event).dataset.concept); });
  svg.addEventListener("focusout", () => light(addressed()));

  function arrive() {
    const slug = addressed();
    if (!nodes.has(slug)) return;
    show(slug);
    nodes.get(slug).scrollIntoView({ block: "nearest", inline: "center" });
  }
  window.addEventListener("hashchange", arrive);
  arrive();
  frame.dataset.ready = String(nodes.size);

  // A signed-in learner sees which concepts they have mastered (from the quiz questions and experiments tied
  // to each); nobody else asks, and the map stays as it is.
  window.platform.signedIn()
    .then((member) => member && fetch("/api/concepts/mastery/", { credentials: "same-origin", headers: { Accept: "application/json" } }))
    .then((response) => (response && response.ok ? response.json() : null))
    .then((states) => {
      if (!states) return;
      const mastered = Object.keys(states).filter((slug) => states[slug].state === "mastered");
      for (const slug of mastered) {
        if (nodes.has(slug)) nodes.get(slug).classList.add("mastered");
        const badge = document.querySelector(`[data-mastered="${CSS.escape(slug)}"]`);
        if (badge) badge.hidden = false;
      }
      document.querySelector(".mastered-key").hidden = false;
      const summary = document.getElementById("concept-map-mastery");
      summary.textContent = interpolate(gettext("Mastered: %(n)s of %(total)s concepts (every quiz question and guided experiment tied to them right, at your best)."),
        { n: mastered.length, total: Object.keys(states).length }, true);
      frame.dataset.mastered = String(mastered.length);
    });
})();
