// Copy buttons for talking points. Without JavaScript the buttons stay hidden and the text can be selected.
// The answer ("Kopierat") appears right after the button that was pressed, where the eye and the screen
// reader already are.
(function () {
  "use strict";

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

  var feedbacks = [];

  function say(feedback, message) {
    feedbacks.forEach(function (other) { if (other !== feedback) { other.textContent = ""; } });
    feedback.textContent = message;
  }

  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) { return; }
    var feedback = document.createElement("span");
    feedback.className = "copy-feedback";
    feedback.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", feedback);
    feedbacks.push(feedback);
    button.hidden = false;
    button.addEventListener("click", function () {
      var text = textOf(target);
      var selected = function () {
        selectText(target);
        say(feedback, "Texten är markerad. Tryck Ctrl+C (eller Cmd+C) för att kopiera.");
      };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(function () {
          say(feedback, "Kopierat. Klistra in texten där du vill använda den.");
        }, selected);
      } else {
        selected();
      }
    });
  });
}());
