/* Lead pages, as an enhancement (everything works without it): a "select all" box for the
   lead list, and the reject reason shown only when the chosen status is "rejected". */
(function () {
  "use strict";

  var table = document.querySelector("table.leads");
  if (table) {
    var boxes = table.querySelectorAll("tbody input[type=checkbox][name$=lead]");
    var head = table.querySelector("thead th.select-column");
    if (head && boxes.length) {
      var all = document.createElement("input");
      all.type = "checkbox";
      all.setAttribute("aria-label", "Select every lead on this page");
      var sync = function () {
        var ticked = 0;
        boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
        all.checked = ticked === boxes.length;
        all.indeterminate = ticked > 0 && ticked < boxes.length;
      };
      all.addEventListener("change", function () {
        boxes.forEach(function (box) { box.checked = all.checked; });
      });
      boxes.forEach(function (box) { box.addEventListener("change", sync); });
      head.textContent = "";
      head.appendChild(all);
      sync();
    }
  }

  document.querySelectorAll("form").forEach(function (form) {
    var status = form.querySelector("select[name$=status]");
    var reason = form.querySelector("select[name$=reason]");
    if (!status || !reason || form.method.toLowerCase() !== "post") { return; }
    var field = reason.closest(".field");
    var show = function () {
      var rejecting = status.value === "rejected";
      if (!rejecting) { reason.value = ""; }
      if (field) { field.hidden = !rejecting; }
    };
    status.addEventListener("change", show);
    show();
  });
}());
