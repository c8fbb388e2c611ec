// The case workbench's conveniences (the form works without them): add a row to the labs,
// the treatment timeline or the medications, and offer only the units of the chosen test.
(function () {
  "use strict";

  function narrowUnits(row) {
    var test = row.querySelector("select[name$='-test']");
    var unit = row.querySelector("select[data-unit]");
    if (!test || !unit) { return; }
    var chosen = test.value;
    Array.prototype.forEach.call(unit.options, function (option) {
      var tests = (option.getAttribute("data-tests") || "").split(" ");
      option.hidden = Boolean(chosen) && option.value !== "" && tests.indexOf(chosen) < 0;
    });
    var selected = unit.options[unit.selectedIndex];
    if (selected && selected.hidden) {
      unit.value = "";
    }
    if (chosen && unit.value === "") {
      var first = Array.prototype.find.call(unit.options, function (option) {
        return option.value !== "" && !option.hidden;
      });
      if (first) { unit.value = first.value; }
    }
  }

  function addRow(table) {
    var rows = document.getElementById("rows-" + table);
    var template = document.getElementById("tpl-" + table);
    if (!rows || !template) { return; }
    var index = parseInt(rows.getAttribute("data-next"), 10) || 0;
    var fragment = template.content.cloneNode(true);
    fragment.querySelectorAll("[id], [name], [for], [aria-describedby]").forEach(function (node) {
      ["id", "name", "for", "aria-describedby"].forEach(function (attribute) {
        var value = node.getAttribute(attribute);
        if (value) { node.setAttribute(attribute, value.split("__i__").join(String(index))); }
      });
    });
    var row = fragment.querySelector("[data-row]");
    rows.appendChild(fragment);
    rows.setAttribute("data-next", String(index + 1));
    var first = row && row.querySelector("input, select");
    if (first) { first.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".js-only").forEach(function (node) { node.hidden = false; });
    document.querySelectorAll("#rows-labs [data-row]").forEach(narrowUnits);
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add-row]");
    if (button) { event.preventDefault(); addRow(button.getAttribute("data-add-row")); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("#rows-labs select[name$='-test']")) {
      narrowUnits(event.target.closest("[data-row]"));
    }
  });
})();
