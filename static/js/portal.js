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
  const link = event.target.closest(".menu + nav a");
  if (link) {
    document.querySelectorAll("details.menu").forEach((menu) => menu.removeAttribute("open"));
  }
});

// On a phone the board's filters fold into one "筛选" control above the first need (open when a
// filter is in use); on a desk they stay open. Without JavaScript they are simply open.
document.addEventListener("DOMContentLoaded", () => {
  if (!window.matchMedia("(max-width: 639px)").matches) return;
  const filtering = [...new URLSearchParams(window.location.search).entries()].some(([k, v]) => k !== "page" && v);
  document.querySelectorAll("details.filters-fold").forEach((fold) => { fold.open = filtering; });
});

// A table wider than the screen scrolls inside its wrapper: make such a wrapper reachable from the
// keyboard (Tab, then the arrow keys), and only such a one, so no empty tab stop is added elsewhere.
function focusableScrollers() {
  document.querySelectorAll(".table-wrap").forEach((wrap) => {
    if (wrap.scrollWidth > wrap.clientWidth) {
      wrap.setAttribute("tabindex", "0");
    } else {
      wrap.removeAttribute("tabindex");
    }
  });
}
document.addEventListener("DOMContentLoaded", focusableScrollers);
document.addEventListener("htmx:afterSettle", focusableScrollers);
window.addEventListener("resize", focusableScrollers);
