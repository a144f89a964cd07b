// Progressive enhancement: sort tables marked data-sortable in place, without a page reload.
// Without JavaScript the column headings are links that ask the server for the sorted table.
(function () {
  "use strict";

  var FIRST_ORDER = { state: "asc", salary: "desc" };

  function compare(key, order) {
    return function (a, b) {
      var x = a.getAttribute("data-" + key);
      var y = b.getAttribute("data-" + key);
      if (key === "salary") {
        // Rows without data always go last, whichever the order.
        if (x === "" || y === "") { return (x === "") - (y === ""); }
        var diff = Number(x) - Number(y);
        if (diff === 0) { diff = a.dataset.state.localeCompare(b.dataset.state); }
        return order === "asc" ? diff : -diff;
      }
      var byName = x.localeCompare(y);
      return order === "asc" ? byName : -byName;
    };
  }

  function sortTable(table, key, order) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(compare(key, order));
    rows.forEach(function (row) { body.appendChild(row); });
    table.querySelectorAll("th[data-sort-key]").forEach(function (th) {
      var current = th.getAttribute("data-sort-key") === key;
      th.setAttribute("aria-sort", current ? (order === "asc" ? "ascending" : "descending") : "none");
      var link = th.querySelector("a");
      var url = new URL(link.href);
      var thisKey = th.getAttribute("data-sort-key");
      url.searchParams.set("order", current ? (order === "asc" ? "desc" : "asc") : FIRST_ORDER[thisKey]);
      link.href = url.toString();
    });
    // Keep the salary-view links on the order the reader just chose.
    document.querySelectorAll(".pay-switch a").forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("sort", key);
      url.searchParams.set("order", order);
      link.href = url.toString();
    });
  }

  document.querySelectorAll("table[data-sortable]").forEach(function (table) {
    table.querySelectorAll("th[data-sort-key] a").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        var url = new URL(link.href);
        var key = url.searchParams.get("sort");
        var order = url.searchParams.get("order");
        sortTable(table, key, order);
        url.hash = "";
        window.history.replaceState(null, "", url.pathname + url.search + "#" + table.closest("section").id);
      });
    });
  });
})();
