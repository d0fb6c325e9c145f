// The admin's live preview: every Markdown field gets a panel beside it showing the rendered result
// (math typeset, code highlighted) as the author types, through the site's own renderer.
(function () {
  "use strict";
  const url = "/admin/lessons/course/preview/";
  function token() { const input = document.querySelector("[name=csrfmiddlewaretoken]"); return input ? input.value : ""; }
  // Django's admin loads form media in <head>: wait for the form.
  document.addEventListener("DOMContentLoaded", () => document.querySelectorAll("textarea[name*='_md']").forEach(attach));

  function attach(area) {
    const language = (area.name.match(/_md_(.+)$/) || [])[1] || "";
    const panel = document.createElement("div");
    panel.className = "md-preview";
    panel.setAttribute("aria-live", "polite");
    panel.setAttribute("aria-label", "Preview");
    area.parentNode.classList.add("md-with-preview");
    area.after(panel);
    let timer = null;
    async function refresh() {
      const body = new URLSearchParams({ source: area.value, language: language.replace("_", "-") });
      const response = await fetch(url, { method: "POST", body, headers: { "X-CSRFToken": token() }, credentials: "same-origin" });
      const data = await response.json();
      if (data.error) { panel.classList.add("md-error"); panel.textContent = data.error; }
      else { panel.classList.remove("md-error"); panel.innerHTML = data.html; }
    }
    area.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
    refresh();
  }
})();
