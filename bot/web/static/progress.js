// A group's page follows the delivery of its last message: the numbers are read again every few seconds until it
// is delivered. Without this script the "Refresh" link does the same.
(function () {
  "use strict";
  var box = document.getElementById("progress");
  if (!box || !box.querySelector("[data-field=sent]")) { return; }
  var done = box.querySelector("[data-field=state]");
  function update() {
    fetch(box.dataset.progress, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (answer) { return answer.ok ? answer.json() : null; })
      .then(function (found) {
        if (!found || found.total === undefined) { return; }
        ["sent", "total", "waiting", "stopped", "failed"].forEach(function (name) {
          var field = box.querySelector("[data-field=" + name + "]");
          if (field) { field.textContent = String(found[name]); }
        });
        if (found.done) { done.textContent = done.dataset.delivered || done.textContent; return; }
        window.setTimeout(update, 3000);
      })
      .catch(function () { window.setTimeout(update, 10000); });
  }
  window.setTimeout(update, 3000);
})();
