// FAQ self-check cards: reveal an answer on demand; filter the questions as you type.
(function () {
  "use strict";
  document.querySelectorAll(".faq-entry .reveal").forEach((button) => {
    button.addEventListener("click", () => {
      const answer = document.getElementById(button.getAttribute("aria-controls"));
      const open = button.getAttribute("aria-expanded") === "true";
      answer.hidden = open;
      button.setAttribute("aria-expanded", String(!open));
      // The button says what it will do: reveal, then hide.
      button.dataset.reveal = button.dataset.reveal || button.textContent;
      button.textContent = open ? button.dataset.reveal : button.dataset.hide;
    });
  });
  const filter = document.querySelector("[data-filter]");
  if (filter) {
    filter.addEventListener("input", () => {
      const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      document.querySelectorAll(filter.dataset.filter).forEach((card) => {
        const text = card.textContent.toLowerCase();
        card.hidden = !words.every((w) => text.includes(w));
      });
    });
  }
  const target = window.location.hash && document.querySelector(window.location.hash + " .reveal");
  if (target) target.click();
})();
