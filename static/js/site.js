// Every page: move focus to the error summary when a form comes back with errors, so that screen readers
// read it and keyboard users start there; a link in the summary puts focus in the field it names.
(function () {
  "use strict";

  function focusField(id) {
    var field = document.getElementById(id);
    if (!field) { return false; }
    var target = field.matches("input, select, textarea, button") ? field
      : field.querySelector("input, select, textarea, button") || field;
    var label = document.querySelector("label[for='" + target.id + "']");
    (label || target).scrollIntoView({block: "center"});
    target.focus({preventScroll: true});
    return document.activeElement === target;
  }

  // A table wider than its box scrolls inside it; keyboard users reach it with Tab and scroll with the arrows.
  function makeScrollingTablesReachable() {
    document.querySelectorAll(".table-scroll").forEach(function (box) {
      if (box.scrollWidth <= box.clientWidth) { return; }
      var caption = box.querySelector("caption");
      box.setAttribute("tabindex", "0");
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Tabell");
    });
  }

  // A frame (an email preview) that has keyboard focus inside it: Chromium does not match :focus on the
  // frame element itself then, so the ring is drawn by a class while the frame holds focus.
  function ringFocusedFrames() {
    document.querySelectorAll("iframe").forEach(function (frame) {
      frame.addEventListener("focus", function () { frame.classList.add("has-focus"); });
      frame.addEventListener("blur", function () { frame.classList.remove("has-focus"); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    makeScrollingTablesReachable();
    ringFocusedFrames();
    var summary = document.querySelector(".error-summary");
    if (!summary) { return; }
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (link && focusField(link.getAttribute("href").slice(1))) { event.preventDefault(); }
    });
  });
}());
