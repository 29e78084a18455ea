// Ask before a form with data-confirm is sent (cancelling a send, emptying Testpost). Without JavaScript the
// form is sent at once, as the button says.
(function () {
  "use strict";
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });
}());
