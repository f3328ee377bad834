// Draw every stored chart of the page: options come from the snapshot embedded beside
// each chart (built by a job, never during the request).
(function () {
  "use strict";
  var charts = [];
  document.querySelectorAll("script[data-options-for]").forEach(function (script) {
    var target = document.getElementById(script.getAttribute("data-options-for"));
    if (!target || !window.echarts) { return; }
    var chart = window.echarts.init(target, null, { renderer: "canvas" });
    chart.setOption(JSON.parse(script.textContent));
    target.setAttribute("data-drawn", "true");
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
