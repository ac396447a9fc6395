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

// On a phone the board's filters fold into one "筛选" control above the first need (open when a
// filter is in use); on a desk they stay open. Without JavaScript they are simply open.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(max-width: 639px)").matches) return;
  const filtering = [...new URLSearchParams(window.location.search).entries()].some(([k, v]) => k !== "page" && v);
  document.querySelectorAll("details.filters-fold").forEach((fold) => { fold.open = filtering; });
});
