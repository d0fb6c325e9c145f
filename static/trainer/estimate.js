// How long a run would take, shown under a lab's form as the learner types: the server estimates it from the
// workers' measured speed (POST /api/labs/<slug>/estimate/) and writes the line, in the learner's language,
// saying when it would not fit the lab's limit.
(function () {
  "use strict";

  const { csrfToken } = window.platform;

  function attach(root) {
    const form = root.querySelector(".lab-form");
    const data = document.getElementById(root.dataset.lab + "-lab-data");
    if (!form || !data) return;
    const lab = JSON.parse(data.textContent);
    const line = Object.assign(document.createElement("p"), { className: "estimate small muted", hidden: true });
    line.setAttribute("aria-live", "polite");
    form.querySelector(".start").before(line);
    let timer = null;
    let asked = 0;

    async function update() {
      const params = {};
      for (const h of lab.hyperparameters) {
        const input = form.elements[h.name];
        if (!input) continue;
        if (h.kind === "bool") params[h.name] = input.checked;
        else if (h.kind === "choice") params[h.name] = input.value;
        else if (input.value.trim() !== "") params[h.name] = Number(input.value);
      }
      const mine = ++asked;
      const response = await fetch(`/api/labs/${encodeURIComponent(lab.slug)}/estimate/`, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
        body: JSON.stringify({ params }),
      });
      if (mine !== asked) return; // a newer question is on its way
      const body = response.ok ? await response.json() : null;
      if (body) offerGpu(body.gpu);
      if (!body || body.seconds === null) { line.hidden = true; line.textContent = ""; return; }
      line.hidden = false;
      line.classList.toggle("warn", !body.fits);
      line.textContent = body.summary; // written by the server, in the learner's language
    }

    // The GPU is offered only while a GPU worker is there: a choice that would be refused is not a choice.
    const gpu = form.querySelector('select[name="device"] option[value="cuda"]');
    const gpuLabel = gpu ? gpu.textContent : "";
    function offerGpu(available) {
      if (!gpu || gpu.disabled === !available) return;
      gpu.disabled = !available;
      gpu.textContent = available ? gpuLabel : interpolate(gettext("%(device)s: no GPU worker is running now"), { device: gpuLabel }, true);
      if (!available && gpu.selected) gpu.parentElement.value = "auto";
    }

    const soon = () => { clearTimeout(timer); timer = setTimeout(update, 250); };
    form.addEventListener("input", soon);
    form.addEventListener("change", soon);
    update();
  }

  document.querySelectorAll("[data-lab]").forEach(attach);
})();
