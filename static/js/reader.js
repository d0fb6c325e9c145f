// The reader's own part of a page that is one document for everyone (core/documents.py): who they are,
// their progress, their CSRF token and waiting notices, from GET /api/me/. The page reads and navigates
// without this; it only shows what belongs to the reader. Other scripts may listen for the "reader" event.
(function () {
  "use strict";

  function show(selector, visible) {
    document.querySelectorAll(selector).forEach((el) => { el.hidden = !visible; });
  }

  function fill(me) {
    const member = me.user !== null;
    document.body.dataset.user = member ? "member" : "anonymous";
    show("[data-reader-member]", member);
    show("[data-reader-anonymous]", !member);
    if (member) {
      show("[data-reader-staff]", me.user.is_staff);
      document.querySelectorAll("[data-reader-name]").forEach((el) => { el.textContent = me.user.username; });
      document.querySelectorAll("[data-reader-inert]").forEach((el) => {
        el.inert = false;
        el.removeAttribute("inert");
        el.removeAttribute("aria-disabled");
      });
    }
    // Every form that posts gets the reader's token (the document carries none).
    document.querySelectorAll('form[method="post"]').forEach((form) => {
      if (form.querySelector('input[name="csrfmiddlewaretoken"]')) return;
      const input = document.createElement("input");
      Object.assign(input, { type: "hidden", name: "csrfmiddlewaretoken", value: me.csrf_token });
      form.prepend(input);
    });
    const course = document.querySelector("[data-course]");
    if (course) markProgress(course, new Set(me.completed[course.dataset.course] || []));
    document.querySelectorAll("[data-faq]").forEach((form) => {
      const mine = me.faq_ratings[form.dataset.faq];
      form.querySelectorAll("button[name=rating]").forEach((button) => {
        const chosen = Number(button.value) === mine;
        button.classList.toggle("secondary", !chosen);
        if (chosen) button.setAttribute("aria-pressed", "true");
        else button.removeAttribute("aria-pressed");
      });
    });
    if (me.messages.length) {
      // Over the page, not above it: a notice that came after the page must not push what is being read.
      const box = document.createElement("div");
      box.className = "messages late";
      box.setAttribute("role", "status");
      for (const message of me.messages) {
        const p = document.createElement("p");
        p.className = "message " + message.level;
        p.textContent = message.text;
        box.append(p);
      }
      const close = document.createElement("button");
      close.type = "button";
      close.className = "link-button";
      close.textContent = "×";
      close.setAttribute("aria-label", document.body.dataset.dismiss || "Dismiss");
      close.addEventListener("click", () => box.remove());
      box.append(close);
      document.getElementById("content").before(box);
    }
    // The theme the learner chose on another device (their account's) wins over this browser's.
    if (me.preferences && window.platformTheme) window.platformTheme.follow(me.preferences.theme);
    document.body.dataset.reader = "known";
    document.dispatchEvent(new CustomEvent("reader", { detail: me }));
  }

  function markProgress(course, done) {
    course.querySelectorAll("[data-done-lesson]").forEach((el) => { el.hidden = !done.has(el.dataset.doneLesson); });
    course.querySelectorAll("[data-lesson]").forEach((li) => {
      const complete = done.has(li.dataset.lesson);
      li.classList.toggle("done", complete);
      const number = li.querySelector("[data-number]");
      if (number) number.textContent = complete ? "✓" : number.dataset.number;
    });
    const form = course.querySelector("[data-complete]");
    if (form) {
      const complete = done.has(form.dataset.complete);
      form.querySelector("[data-when-done]").hidden = !complete;
      form.querySelector("[data-when-not-done]").hidden = complete;
    }
    const bar = course.querySelector("[data-course-progress]");
    if (bar) {
      const total = course.querySelectorAll("[data-lesson]").length;
      const count = [...course.querySelectorAll("[data-lesson]")].filter((li) => done.has(li.dataset.lesson)).length;
      const percent = total ? Math.round((100 * count) / total) : 0;
      bar.setAttribute("aria-valuenow", String(percent));
      bar.querySelector("span").style.width = percent + "%";
      const text = course.querySelector("[data-course-progress-text]");
      text.textContent = text.dataset.template.replace("DONE", String(count));
    }
  }

  fetch("/api/me/", { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then((response) => (response.ok ? response.json() : null))
    .then((me) => { if (me) fill(me); })
    .catch(() => {});
})();
