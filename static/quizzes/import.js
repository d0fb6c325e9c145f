// The admin's question-bank import: a file over the form's limit is a form error before anything is sent
// (a body over the platform's request limit would be refused in front of Django with a bare 413 page).
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const input = document.querySelector("input[type=file][data-max-bytes]");
  if (!input) return;
  const check = () => {
    const file = input.files[0];
    input.setCustomValidity(file && file.size > Number(input.dataset.maxBytes) ? input.dataset.tooLarge : "");
  };
  input.addEventListener("change", () => { check(); input.reportValidity(); });
  input.form.addEventListener("submit", (event) => {
    check();
    if (!input.checkValidity()) { event.preventDefault(); input.reportValidity(); }
  });
});
