// Poll a running send's counts every two seconds; stop when it has finished. The page works without this too.
(function () {
  "use strict";
  var live = document.querySelector("[data-status-url]");
  if (!live) { return; }
  var url = live.getAttribute("data-status-url");
  var format = new Intl.NumberFormat("sv-SE");

  function update() {
    fetch(url, {credentials: "same-origin"}).then(function (r) { return r.json(); }).then(function (data) {
      document.getElementById("send-status").textContent = data.status_label;
      document.querySelectorAll("[data-count]").forEach(function (element) {
        element.textContent = format.format(data.counts[element.dataset.count] || 0);
      });
      if (data.status === "sending" || data.status === "scheduled") {
        setTimeout(update, 2000);
      } else {
        live.textContent = "Utskicket är " + data.status_label.toLowerCase() + ".";
      }
    }).catch(function () { setTimeout(update, 5000); });
  }

  setTimeout(update, 2000);
}());
