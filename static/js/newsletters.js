// Newsletter staff pages: live Markdown preview, confirmation of destructive buttons, live send progress.
// Everything here is an addition: every page works without JavaScript.
(function () {
  "use strict";
  var script = document.currentScript;
  var markdownUrl = script && script.getAttribute("data-markdown-url");
  var tokenInput = document.querySelector("input[name=csrf_token]");

  // Live preview: the server renders and sanitises the Markdown, exactly as the email will.
  function preview(textarea, target) {
    fetch(markdownUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : ""},
      body: JSON.stringify({markdown: textarea.value})
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    }).then(function (data) {
      target.innerHTML = data.html || "<p>(ingen text än)</p>";
    }).catch(function () {
      target.textContent = "Förhandsvisningen gick inte att hämta just nu.";
    });
  }

  if (markdownUrl) {
    document.querySelectorAll("textarea[data-markdown-preview]").forEach(function (textarea) {
      var target = document.getElementById(textarea.getAttribute("data-markdown-preview"));
      if (!target) { return; }
      var timer = null;
      textarea.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { preview(textarea, target); }, 300);
      });
      preview(textarea, target);
    });
  }

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  // Live progress from the delivery core's status of the send.
  var progress = document.getElementById("send-progress");
  if (progress) {
    var url = progress.getAttribute("data-status-url");
    var format = new Intl.NumberFormat("sv-SE");
    var status = document.getElementById("send-status");
    var update = function () {
      fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
        if (status) { status.textContent = data.status_label; }
        progress.querySelectorAll("[data-count]").forEach(function (element) {
          element.textContent = format.format(data.counts[element.getAttribute("data-count")] || 0);
        });
        if (["sending", "scheduled", "paused"].indexOf(data.status) >= 0) {
          setTimeout(update, data.status === "paused" ? 5000 : 2000);
        }
      }).catch(function () { setTimeout(update, 5000); });
    };
    update();
  }
})();
