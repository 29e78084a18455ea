// Copy buttons for talking points. Without JavaScript the buttons stay hidden and the text can be selected.
(function () {
  "use strict";
  var status = document.querySelector(".copy-status");

  function textOf(element) {
    return element.tagName === "TEXTAREA" ? element.value : element.textContent.trim();
  }

  function selectText(element) {
    if (element.tagName === "TEXTAREA") { element.select(); return; }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function say(message) { if (status) { status.textContent = message; } }

  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = textOf(target);
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          say("Kopierat. Klistra in texten där du vill använda den.");
        }, function () {
          selectText(target);
          say("Texten är markerad. Tryck Ctrl+C (eller Cmd+C) för att kopiera.");
        });
      } else {
        selectText(target);
        say("Texten är markerad. Tryck Ctrl+C (eller Cmd+C) för att kopiera.");
      }
    });
  });
}());
