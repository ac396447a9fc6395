// Tongxin's own script. No inline scripts anywhere (the Content-Security-Policy forbids them):
// behaviour is attached here from data- attributes.
"use strict";

document.addEventListener("submit", function (event) {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Close the phone menu after a choice so the page is visible.
document.addEventListener("click", function (event) {
  const link = event.target.closest("details.menu a");
  if (link) {
    link.closest("details").removeAttribute("open");
  }
});
