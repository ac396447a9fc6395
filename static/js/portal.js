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

// Required fields checked before a form is sent (a form with data-check-required, which holds the
// message in the page's language): each required field shown and left empty gets the message
// beside it, the first is focused, and nothing is sent. A field hidden because it belongs to
// another kind of need is not asked for. The server checks everything again (and alone, without
// JavaScript), with the same messages; registered before the pending state, which then stays off.
function fieldShown(field) {
  return field.getClientRects().length > 0;
}

function fieldEmpty(field) {
  if (field.type === "radio" || field.type === "checkbox") {
    return !field.form.querySelector(`input[name="${CSS.escape(field.name)}"]:checked`);
  }
  return !field.value.trim();
}

function errorNoteId(field) {
  return (field.id || field.name) + "-error";
}

function markRequired(field, message) {
  const box = field.closest(".field") || field.parentElement;
  let note = document.getElementById(errorNoteId(field));
  if (!note) {
    note = document.createElement("p");
    note.className = "error";
    note.id = errorNoteId(field);
    box.appendChild(note);
  }
  note.textContent = message;
  box.classList.add("has-error");
  field.setAttribute("aria-invalid", "true");
  field.setAttribute("aria-describedby", note.id);
}

function clearMark(field) {
  const note = document.getElementById(errorNoteId(field));
  if (note) note.remove();
  const box = field.closest(".field");
  if (box) box.classList.remove("has-error");
  field.removeAttribute("aria-invalid");
  field.removeAttribute("aria-describedby");
}

document.addEventListener("submit", function (event) {
  const form = event.target;
  const message = form.getAttribute("data-check-required");
  if (!message || event.defaultPrevented) return;
  const seen = new Set();
  const missing = [...form.querySelectorAll("[required]")].filter(function (field) {
    if (field.disabled || !fieldShown(field) || seen.has(field.name)) return false;
    seen.add(field.name);
    return fieldEmpty(field);
  });
  if (missing.length) {
    event.preventDefault();
    missing.forEach(function (field) { markRequired(field, message); });
    missing[0].focus();
  }
});

document.addEventListener("input", function (event) {
  const field = event.target;
  if (field.form && field.form.hasAttribute("data-check-required") && field.getAttribute("aria-invalid") === "true"
      && !fieldEmpty(field)) {
    clearMark(field);
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

// Pending state: a form that posts shows it is working and its buttons are disabled until the
// answer comes, so a slow answer is not taken for a dead button and pressed again (a second
// claim, a second gift). Disabled after the submit event, once the browser has taken the pressed
// button's name and value into what it sends (a button disabled earlier would not be sent).
const DOWNLOAD_PENDING_MS = 4000;

function setPending(form, pending) {
  form.classList.toggle("is-pending", pending);
  if (pending) {
    form.setAttribute("aria-busy", "true");
  } else {
    form.removeAttribute("aria-busy");
  }
  form.querySelectorAll("button, input[type=submit]").forEach(function (button) {
    if (pending && !button.disabled) {
      button.disabled = true;
      button.setAttribute("data-pending", "");
    } else if (!pending && button.hasAttribute("data-pending")) {
      button.disabled = false;
      button.removeAttribute("data-pending");
    }
  });
}

document.addEventListener("submit", function (event) {
  const form = event.target;
  // htmx takes over the forms it handles (it prevents the submission): its own events below.
  if (event.defaultPrevented || (form.getAttribute("method") || "get").toLowerCase() !== "post") {
    return;
  }
  window.setTimeout(function () { setPending(form, true); }, 0);
  // A form answered with a file (data-download) stays on its page and the browser says nothing
  // when the file has arrived: it becomes usable again after a moment.
  if (form.hasAttribute("data-download")) {
    window.setTimeout(function () { setPending(form, false); }, DOWNLOAD_PENDING_MS);
  }
});

// A page restored by the back button shows its forms usable again.
window.addEventListener("pageshow", function (event) {
  if (event.persisted) {
    document.querySelectorAll("form.is-pending").forEach(function (form) { setPending(form, false); });
  }
});

// Requests htmx sends for a form or a button that posts: the same pending state, until answered.
function htmxPosting(event) {
  const verb = (event.detail.requestConfig && event.detail.requestConfig.verb) || "";
  return verb.toLowerCase() !== "get";
}

document.addEventListener("htmx:beforeRequest", function (event) {
  const form = event.detail.elt.closest("form");
  if (form && htmxPosting(event)) {
    setPending(form, true);
  }
});

document.addEventListener("htmx:afterRequest", function (event) {
  const form = event.detail.elt.closest("form");
  if (form && form.isConnected) {
    setPending(form, false);
  }
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
