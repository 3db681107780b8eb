// Campaign admin: show only the fields the chosen trigger uses (the server does the same
// once the campaign is saved). The mapping comes from the page (campaigns/admin.py).
(function () {
  "use strict";
  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }
  ready(function () {
    var data = document.getElementById("campaign-trigger-fields");
    var trigger = document.getElementById("id_trigger");
    if (!data || !trigger) { return; }
    var spec = JSON.parse(data.textContent);
    function apply() {
      var shown = spec.fields[trigger.value] || [];
      spec.dependent.forEach(function (name) {
        var row = document.querySelector(".form-row.field-" + name) || document.querySelector(".field-" + name);
        if (row) { row.hidden = shown.indexOf(name) === -1; }
      });
    }
    trigger.addEventListener("change", apply);
    apply();
  });
})();
