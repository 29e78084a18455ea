// Ask the server for the audience's size whenever a choice changes; the page works without this too.
(function () {
  "use strict";
  var form = document.getElementById("audience-form");
  var out = document.getElementById("audience-size");
  if (!form || !out) { return; }
  var criteria = ["lists", "roles", "counties", "districts", "municipalities", "municipality_names",
                  "result_kind", "result_year",
                  "result_places", "result_sub_index"];

  form.addEventListener("change", function () {
    var params = new URLSearchParams();
    new FormData(form).forEach(function (value, key) {
      if (criteria.indexOf(key) >= 0) { params.append(key, value); }
    });
    fetch(form.dataset.sizeUrl + "?" + params.toString(), {credentials: "same-origin"})
      .then(function (r) { return r.json(); }).then(function (data) { out.textContent = data.text; });
  });
}());
