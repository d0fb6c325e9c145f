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
  // such a formula, and only such a one, takes a tab stop. Checked again when the width changes.
  const formulas = () => document.querySelectorAll(".prose math, .prose .math-display, .prose table, .feedback math, .options math");
  // All the measuring first, then all the writing: a write between two reads would lay the page out again.
  const focusable = () => {
    const wide = [...formulas()].map((f) => [f, ["auto", "scroll"].includes(getComputedStyle(f).overflowX) && f.scrollWidth > f.clientWidth + 1]);
    for (const [f, scrolls] of wide) {
      if (scrolls) f.setAttribute("tabindex", "0");
      else if (f.getAttribute("tabindex") === "0") f.removeAttribute("tabindex");
    }
  };
  if ("ResizeObserver" in window) new ResizeObserver(focusable).observe(document.documentElement);
  else window.addEventListener("load", focusable);
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
