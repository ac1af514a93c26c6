// Rhizome's own script: every page works without it; with it, pages ask before destructive
// actions. Areas of the interface add their enhancements below.
"use strict";

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form instanceof HTMLFormElement && form.classList.contains("js-confirm")) {
    if (!window.confirm(form.dataset.confirm || "?")) {
      event.preventDefault();
    }
  }
});
