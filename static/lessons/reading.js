// Where a signed-in learner is in a lesson, told to the platform as they read, so that "Continue" (the home page,
// the dashboard) takes them back to that section: the last heading that has come into the top part of the
// screen, sent a few seconds after it changes and when the page is left. Headings are watched, not measured:
// nothing here lays the page out.
(function () {
  "use strict";
  const article = document.querySelector("[data-reading]");
  if (!article || !window.IntersectionObserver) return;
  const headings = [...article.querySelectorAll(".prose h2[id], .prose h3[id]")];
  let reached = null, sent = null, timer = null;

  function send(leaving = false) {
    clearTimeout(timer);
    if (reached === null || reached === sent) return;
    sent = reached;
    fetch(article.dataset.reading, {
      method: "POST", credentials: "same-origin", keepalive: leaving, body: JSON.stringify({ section: reached }),
      headers: { "Content-Type": "application/json", "X-CSRFToken": window.platform.csrfToken() },
    }).catch(() => { sent = null; });
  }

  function start() {
    const watch = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        const i = headings.indexOf(entry.target);
        if (entry.isIntersecting) reached = entry.target.id;
        // Scrolling back up: the heading went below the top part, so the reader is in the section before it.
        else if (entry.rootBounds && entry.boundingClientRect.top > entry.rootBounds.bottom && reached === entry.target.id) reached = i > 0 ? headings[i - 1].id : "";
      }
      clearTimeout(timer);
      timer = setTimeout(send, 3000);
    }, { rootMargin: "0px 0px -60% 0px" });
    headings.forEach((h) => watch.observe(h));
    document.addEventListener("visibilitychange", () => { if (document.hidden) send(true); });
    window.addEventListener("pagehide", () => send(true));
  }

  window.platform.signedIn().then((member) => { if (member && headings.length) start(); });
})();
