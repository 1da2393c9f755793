// A participatory budget's running total: as projects are ticked, say what the choice costs
// and whether it fits the budget. Only an aid: the page works without it, and the server
// refuses a choice over the budget whatever this script says.
(function () {
  "use strict";
  var format = new Intl.NumberFormat(document.documentElement.lang || "de");
  var euros = function (amount) { return format.format(amount) + "\u00a0€"; };
  document.querySelectorAll(".budget-total").forEach(function (box) {
    var fieldset = box.closest("fieldset");
    var output = box.querySelector("output");
    var budget = Number(box.dataset.budget);
    var boxes = fieldset.querySelectorAll("input[data-cost]");
    var update = function () {
      var total = 0;
      boxes.forEach(function (input) { if (input.checked) { total += Number(input.dataset.cost); } });
      var text = box.dataset.text.replace("{total}", euros(total));
      if (total > budget) {
        text += " " + box.dataset.over.replace("{over}", euros(total - budget));
      }
      output.textContent = text;
      box.classList.toggle("over-budget", total > budget);
    };
    boxes.forEach(function (input) { input.addEventListener("change", update); });
    update();
  });
})();
