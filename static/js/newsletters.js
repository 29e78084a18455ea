// Newsletter staff pages: the live Markdown preview beside the text fields. The pages work without it too.
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
})();
