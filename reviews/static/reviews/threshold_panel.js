/* Threshold panel: a confidence histogram per category, with the thresholds drawn as vertical lines.
   Chart.js is loaded by the dashboard page; this waits for it (deferred scripts run before DOMContentLoaded). */
(function () {
  "use strict";
  var COLORS = { auto_respond_min: "#2e7d32", review_min: "#ef6c00", handoff_below: "#c62828" };
  var thresholdLines = {
    id: "thresholdLines",
    afterDatasetsDraw: function (chart, args, opts) {
      var x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx, bin = opts.bin;
      var step = x.getPixelForValue(1) - x.getPixelForValue(0);
      var at = function (v) { return x.getPixelForValue(0) + (v / bin - 0.5) * step; };
      (opts.lines || []).forEach(function (line) {
        ctx.save();
        ctx.strokeStyle = line.color;
        ctx.lineWidth = 2;
        ctx.setLineDash(line.dash ? [4, 3] : []);
        ctx.beginPath();
        ctx.moveTo(at(line.value), area.top);
        ctx.lineTo(at(line.value), area.bottom);
        ctx.stroke();
        ctx.restore();
      });
    },
  };
  function lines(entry) {
    var out = [];
    Object.keys(COLORS).forEach(function (name) {
      out.push({ value: entry.live[name], color: COLORS[name] });
      if (entry.live["peak_" + name] !== null && entry.live["peak_" + name] !== undefined) {
        out.push({ value: entry.live["peak_" + name], color: COLORS[name], dash: true });
      }
      if (entry.canary && entry.canary[name] !== undefined) out.push({ value: entry.canary[name], color: "#6a1b9a" });
    });
    return out;
  }
  function draw() {
    if (typeof Chart === "undefined") return;
    var data = JSON.parse(document.getElementById("tp-data").textContent);
    var labels = [];
    for (var i = 0; i * data.bin < 1 - 1e-9; i++) labels.push((i * data.bin).toFixed(2));
    data.categories.forEach(function (entry) {
      var canvas = document.getElementById("tp-chart-" + entry.category);
      if (!canvas) return;
      new Chart(canvas, {
        type: "bar",
        data: { labels: labels, datasets: [{ label: entry.category, data: entry.counts, backgroundColor: "#90a4ae" }] },
        options: { responsive: true, animation: false, plugins: { legend: { display: false },
                   thresholdLines: { bin: data.bin, lines: lines(entry) } },
                   scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true, ticks: { precision: 0 } } } },
        plugins: [thresholdLines],
      });
    });
  }
  if (document.readyState === "complete") draw(); else window.addEventListener("load", draw);
})();
