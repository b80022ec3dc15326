// Verdict filter. A button sets the address's #verdict=..., so a filtered view can be linked to.
(function () {
  "use strict";
  function apply() {
    var match = /^#verdict=([A-Z_]+)$/.exec(location.hash);
    var verdict = match ? match[1] : "";
    document.body.setAttribute("data-filter", verdict || "all");
    document.querySelectorAll("#filters button").forEach(function (button) {
      button.setAttribute("aria-pressed", String(button.dataset.verdict === verdict));
    });
    document.querySelectorAll("tr[data-verdict], section[data-verdict]").forEach(function (el) {
      el.hidden = verdict !== "" && el.dataset.verdict !== verdict;
    });
  }
  document.getElementById("filters").addEventListener("click", function (event) {
    var button = event.target.closest("button");
    if (button) {
      location.hash = button.dataset.verdict ? "verdict=" + button.dataset.verdict : "all";
    }
  });
  window.addEventListener("hashchange", apply);
  apply();
})();
