// The roll-up's trend with the spread of the children (min–max band, median line).
(function () {
  "use strict";
  var el = document.getElementById("rollup-trend");
  var data = document.getElementById("rollup-trend-data");
  if (!el || !data || !window.echarts) { return; }
  var trend = JSON.parse(data.textContent);
  var periods = trend.points.map(function (p) { return p.period; });
  var lows = trend.points.map(function (p) { return p.min; });
  var band = trend.points.map(function (p) {
    return p.max === null || p.min === null ? null : p.max - p.min;
  });
  var chart = window.echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    title: { text: (trend.indicator.code || "") + " " + (trend.indicator.name_zh || "") },
    tooltip: { trigger: "axis" },
    legend: { top: 28, data: ["汇总值", "下级中位数", "下级区间"] },
    xAxis: { type: "category", data: periods },
    yAxis: { type: "value", scale: true },
    series: [
      { name: "下级最小", type: "line", data: lows, stack: "spread", symbol: "none",
        lineStyle: { opacity: 0 }, tooltip: { show: false } },
      { name: "下级区间", type: "line", data: band, stack: "spread", symbol: "none",
        lineStyle: { opacity: 0 }, areaStyle: { color: "rgba(140,28,19,0.15)" } },
      { name: "下级中位数", type: "line", data: trend.points.map(function (p) { return p.median; }),
        lineStyle: { type: "dashed" } },
      { name: "汇总值", type: "line", data: trend.points.map(function (p) { return p.value; }),
        lineStyle: { width: 3 }, itemStyle: { color: "#8c1c13" } }
    ]
  });
  el.setAttribute("data-drawn", "true");
  window.addEventListener("resize", function () { chart.resize(); });
})();
