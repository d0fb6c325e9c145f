// The page's theme: the device's light or dark setting, or the one the learner chose (a select in the header,
// kept in this browser and, for a signed-in learner, in their account: see reader.js). Runs in <head>, after
// the stylesheets and before the first paint, so a chosen theme never flashes the other one. The stylesheets
// write their dark colours once, in `@media (prefers-color-scheme: dark)` rules; a chosen theme turns those
// rules on ("all") or off ("not all") instead of every colour being written twice.
(function () {
  "use strict";
  const KEY = "platform.theme";
  const DARK = "(prefers-color-scheme: dark)";
  const MEDIA = { system: DARK, light: "not all", dark: "all" };
  const darkRules = new Set();
  let current = "system";

  function collect(rules) {
    for (const rule of rules) {
      if (rule instanceof CSSMediaRule && rule.media.mediaText === DARK) darkRules.add(rule);
    }
  }

  function apply(theme) {
    current = theme in MEDIA ? theme : "system";
    for (const sheet of document.styleSheets) {
      try { collect(sheet.cssRules); } catch { /* a sheet from another origin: none here */ }
    }
    for (const rule of darkRules) rule.media.mediaText = MEDIA[current];
    document.documentElement.dataset.theme = current;
    document.documentElement.style.colorScheme = current === "system" ? "" : current;
    document.querySelectorAll("select[data-theme-select]").forEach((select) => { select.value = current; });
  }

  let chosenHere = false;

  function keep(theme) {
    try { localStorage.setItem(KEY, theme); } catch { /* private mode: this page only */ }
    apply(theme);
  }

  function choose(theme) {
    chosenHere = true;
    keep(theme);
  }

  // The account's theme (reader.js, from /api/me/): it wins over this browser's, never over a choice made on
  // this page while the answer was on its way (a slow answer would undo it).
  function follow(theme) {
    if (!chosenHere && theme !== current) keep(theme);
  }

  let saved = "system";
  try { saved = localStorage.getItem(KEY) || "system"; } catch { /* private mode */ }
  apply(saved);
  // A stylesheet that arrives later (a lab's, loaded when the reader gets there) follows the chosen theme.
  document.addEventListener("load", (event) => { if (event.target.tagName === "LINK" && current !== "system") apply(current); }, true);
  document.addEventListener("DOMContentLoaded", () => apply(current));
  window.platformTheme = { choose, follow, current: () => current };
})();
