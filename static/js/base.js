// Site-wide behaviour: the phone menu and the language switch. No inline scripts (the CSP forbids them).
(function () {
  "use strict";
  const toggle = document.querySelector(".menu-toggle");
  const nav = document.getElementById("site-nav");
  if (toggle && nav) {
    toggle.addEventListener("click", () => {
      const open = toggle.getAttribute("aria-expanded") === "true";
      toggle.setAttribute("aria-expanded", String(!open));
      nav.classList.toggle("open", !open);
    });
  }
  // A formula (or a table) wider than its column scrolls sideways (CSS); the keyboard must be able to scroll it too, so
  // such a formula, and only such a one, takes a tab stop. Each is measured once the browser has laid it out, and
  // again when its width changes: a ResizeObserver, so measuring forces no layout. The browser lays out a long
  // lesson's parts as they come near the screen (content-visibility in base.css), so whatever a reader can see
  // has been measured; what is far off screen waits, as its layout does.
  const selector = ".prose math, .prose .math-display, .prose table, .feedback math, .options math";
  const scrolls = (f) => ["auto", "scroll"].includes(getComputedStyle(f).overflowX) && f.scrollWidth > f.clientWidth + 1;
  const sizes = new ResizeObserver((entries) => {
    // All the measuring first, then all the writing: a write between two reads would lay the page out again.
    const wide = entries.filter((e) => e.contentRect.width > 0).map((e) => [e.target, scrolls(e.target)]);
    for (const [f, wider] of wide) {
      if (wider) f.setAttribute("tabindex", "0");
      else if (f.getAttribute("tabindex") === "0") f.removeAttribute("tabindex");
    }
  });
  const observed = new WeakSet();
  const observeNew = () => {
    for (const f of document.querySelectorAll(selector)) {
      if (!observed.has(f)) sizes.observe(f);
      observed.add(f);
    }
  };
  observeNew();
  new ResizeObserver(observeNew).observe(document.body); // formulas added later (a quiz's feedback)
  // What parts far down a page need (a lesson's labs: a chart library and their scripts) waits in a
  // <template data-load-near="a selector of those parts"> and loads when one of them comes within a screen of
  // view: a reader who does not go that far never downloads it. Scripts keep their order; one the page already
  // has is skipped. A form sent from those parts before their scripts have run is sent again once they have.
  document.querySelectorAll("template[data-load-near]").forEach((template) => {
    const parts = document.querySelectorAll(template.dataset.loadNear);
    let early = null; // the submit event that came first
    const hold = (event) => { event.preventDefault(); early = early || event; load(); };
    const ready = () => {
      parts.forEach((part) => part.removeEventListener("submit", hold));
      if (early) early.target.requestSubmit(early.submitter);
    };
    const load = () => {
      near.disconnect();
      if (template.dataset.loaded) return;
      template.dataset.loaded = "1";
      const scripts = [];
      for (const wanted of template.content.querySelectorAll("script[src], link[rel=stylesheet]")) {
        const url = wanted.getAttribute(wanted.tagName === "SCRIPT" ? "src" : "href");
        if (document.querySelector(`script[src="${url}"], link[href="${url}"]`)) continue;
        const element = document.createElement(wanted.tagName);
        for (const { name, value } of wanted.attributes) element.setAttribute(name, value);
        if (element.tagName === "SCRIPT") scripts.push(Object.assign(element, { async: false }));
        document.head.append(element);
      }
      // async = false: they run in the order they were added, so the last one to run is the last added.
      if (scripts.length) scripts.at(-1).addEventListener("load", ready);
      else ready();
    };
    const near = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && load(),
      { rootMargin: "100% 0px" });
    parts.forEach((part) => { near.observe(part); part.addEventListener("submit", hold); });
  });
  document.querySelectorAll("select[data-autosubmit]").forEach((select) => {
    select.addEventListener("change", () => select.form.submit());
  });
})();

// What every page's scripts share: the CSRF token (the csrftoken cookie), JSON calls to the API, and whether
// the reader is signed in, as window.platform.csrfToken(), window.platform.api(url, options) -> {ok, status,
// body} and window.platform.signedIn() -> Promise<boolean>.
(function () {
  "use strict";
  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(url, options = {}) {
    const response = await fetch(url, {
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      ...options,
    });
    const body = response.headers.get("Content-Type")?.includes("json") ? await response.json() : null;
    return { ok: response.ok, status: response.status, body };
  }

  // A page rendered for its reader says who they are (body[data-user]); a page that is one document for
  // everyone knows once reader.js has heard from /api/me/ (body[data-reader], then its "reader" event).
  function signedIn() {
    const member = () => document.body.dataset.user === "member";
    const documentPage = document.querySelector('script[src*="js/reader"]');
    if (!documentPage || document.body.dataset.reader === "known") return Promise.resolve(member());
    return new Promise((resolve) => document.addEventListener("reader", () => resolve(member()), { once: true }));
  }

  window.platform = { csrfToken, api, signedIn };
})();
