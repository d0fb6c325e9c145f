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
  // The sticky header's height, for what must stop below it (a lab's live run, anchors): it grows when its bar
  // wraps (a narrow window, a long language's words), so it is measured, not guessed.
  const header = document.querySelector(".site-header");
  if (header) {
    new ResizeObserver(([entry]) => {
      document.documentElement.style.setProperty("--header-h", `${Math.ceil(entry.borderBoxSize[0].blockSize)}px`);
    }).observe(header);
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
  // The language switch: after the page in the other language comes, the focus is back on the switch. On a page
  // that is one document for every reader, the form waits for the reader's token (reader.js), so that a
  // signed-in learner's choice is saved to their account.
  document.querySelectorAll("form.language-form").forEach((form) => {
    form.addEventListener("submit", (event) => {
      const submitter = event.submitter;
      try { sessionStorage.setItem("platform.focus", "language-switch"); } catch { /* private mode */ }
      if (form.querySelector('input[name="csrfmiddlewaretoken"]')?.value || !window.platform) return;
      event.preventDefault();
      const known = window.platform.signedIn();
      const late = new Promise((resolve) => setTimeout(resolve, 2000)); // the switch never waits long
      Promise.race([known, late]).then(() => form.requestSubmit(submitter));
    }, { once: true });
  });
  try {
    const focus = sessionStorage.getItem("platform.focus");
    sessionStorage.removeItem("platform.focus");
    const target = focus === "language-switch" ? document.querySelector(".language-switch") : document.getElementById(focus || "");
    if (target) target.focus();
  } catch { /* private mode */ }
  // Moments (templates/_time.html) in the reader's time zone, which only the browser knows, named.
  const when = new Intl.DateTimeFormat(document.documentElement.lang || undefined, { year: "numeric", month: "short", day: "numeric", hour: "numeric", minute: "2-digit", timeZoneName: "short" });
  document.querySelectorAll("time[data-local]").forEach((time) => { time.textContent = when.format(new Date(time.dateTime)); });
  // The theme (static/js/theme.js applies it): shown where scripts run; a signed-in learner's choice is saved
  // to their account, so it follows them to their other devices.
  const theme = document.querySelector(".theme-choice");
  if (theme && window.platformTheme) {
    const select = theme.querySelector("select");
    select.value = window.platformTheme.current();
    theme.hidden = false;
    select.addEventListener("change", () => {
      window.platformTheme.choose(select.value);
      if (document.body.dataset.user === "member") {
        window.platform.api("/api/me/preferences/", { method: "POST", body: JSON.stringify({ theme: select.value }) });
      }
    });
  }
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

// A run goes on while its learner reads other pages. The lab page hands every run it starts or shows to
// window.platform.runs.watch(job); every page of this browser then asks how the run stands (every few seconds,
// while the page is visible) and, when it has ended, says so in a notice with a link to it - and with the
// browser's own notification if the learner asked for one on the lab page and is looking at another tab. A lab
// widget that shows the run itself tells `seen(id)`, and no notice follows.
(function () {
  "use strict";
  const KEY = "platform.runs", NOTIFY = "platform.notify";
  const EVERY = 5000;
  const FINAL = ["succeeded", "failed", "cancelled", "diverged", "stopped"];
  const read = () => { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch { return []; } };
  const write = (runs) => { try { localStorage.setItem(KEY, JSON.stringify(runs.slice(-20))); } catch { /* private mode */ } };
  const gettext = (s) => (window.gettext ? window.gettext(s) : s);
  const fill = (text, values) => (window.interpolate ? window.interpolate(text, values, true) : text);

  function watch(job, title) {
    if (FINAL.includes(job.status)) return;
    write([...read().filter((r) => r.id !== job.id), { id: job.id, lab: job.lab, title }]);
  }
  function seen(id) { write(read().filter((r) => r.id !== Number(id))); }
  const notifyWanted = () => localStorage.getItem(NOTIFY) === "1" && "Notification" in window && Notification.permission === "granted";

  // The words come from Django's JavaScript catalog, loaded the first time a notice needs them.
  let catalog = null;
  function words() {
    if (window.gettext) return Promise.resolve();
    catalog = catalog || new Promise((resolve) => {
      const script = Object.assign(document.createElement("script"), { src: document.body.dataset.catalog || "/jsi18n/" });
      script.addEventListener("load", resolve);
      script.addEventListener("error", resolve);
      document.head.append(script);
    });
    return catalog;
  }

  function region() {
    let box = document.querySelector(".run-notices");
    if (!box) {
      box = Object.assign(document.createElement("div"), { className: "run-notices" });
      box.setAttribute("role", "status");
      document.body.append(box);
    }
    return box;
  }

  async function tell(job, title) {
    await words();
    const states = { succeeded: gettext("Succeeded"), failed: gettext("Failed"), cancelled: gettext("Cancelled"), diverged: gettext("Diverged"), stopped: gettext("Stopped at its time limit") };
    const text = fill(gettext("Your run #%(n)s (%(lab)s) has ended: %(status)s."), { n: job.id, lab: title || job.lab, status: states[job.status] || job.status });
    const url = `/labs/${encodeURIComponent(job.lab)}/?run=${job.id}`;
    const notice = Object.assign(document.createElement("p"), { className: "run-notice" });
    notice.dataset.job = job.id;
    const link = Object.assign(document.createElement("a"), { href: url, textContent: gettext("Open it") });
    const close = Object.assign(document.createElement("button"), { type: "button", className: "link-button", textContent: "×" });
    close.setAttribute("aria-label", document.body.dataset.dismiss || "Dismiss");
    close.addEventListener("click", () => notice.remove());
    notice.append(text + " ", link, " ", close);
    region().append(notice);
    if (document.hidden && notifyWanted()) {
      const shown = new Notification(text, { tag: `run-${job.id}` });
      shown.addEventListener("click", () => { window.focus(); window.location.assign(url); });
    }
  }

  async function look() {
    const runs = read();
    if (!runs.length || document.hidden) return;
    for (const run of runs) {
      if (document.querySelector(`[data-lab][data-job="${run.id}"]`)) continue; // a lab widget shows it
      const { ok, status, body } = await window.platform.api(`/api/jobs/${run.id}/`);
      if (status === 404 || status === 401 || status === 403) { seen(run.id); continue; }
      if (!ok || !FINAL.includes(body.status)) continue;
      seen(run.id);
      tell(body, run.title);
    }
  }

  window.platform.runs = { watch, seen, notifyWanted };
  let timer = null;
  const follow = () => { if (!timer && read().length) { timer = setInterval(look, EVERY); look(); } };
  follow();
  // A run started in another tab of this site is followed from then on.
  window.addEventListener("storage", (event) => { if (event.key === KEY) follow(); });
  document.addEventListener("visibilitychange", () => { if (!document.hidden && timer) look(); });
})();
