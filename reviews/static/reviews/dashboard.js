/* Review operations dashboard: draws the server-computed numbers (reviews/dashboard.py) with Chart.js. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") return;
  var data = JSON.parse(document.getElementById("rd-data").textContent);
  var L = JSON.parse(document.getElementById("rd-labels").textContent);
  var pct = function (v) { return v === null ? null : Math.round(v * 1000) / 10; };
  var percentAxis = { y: { beginAtZero: true, max: 100, ticks: { callback: function (v) { return v + "%"; } } } };
  function bar(id, labels, datasets, scales) {
    new Chart(document.getElementById(id), { type: "bar", data: { labels: labels, datasets: datasets },
      options: { responsive: true, animation: false, scales: scales || {} } });
  }
  new Chart(document.getElementById("rd-chart-depth"), {
    type: "line",
    data: { labels: data.queue_depth.map(function (p) { return new Date(p.t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", timeZone: "Asia/Tokyo" }); }),
            datasets: [{ label: L.depth, data: data.queue_depth.map(function (p) { return p.depth; }), fill: true, tension: 0.2 }] },
    options: { responsive: true, animation: false, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  bar("rd-chart-sla", data.sla.map(function (r) { return r.priority; }), [
    { label: L.breach, data: data.sla.map(function (r) { return pct(r.rate); }) },
    { label: L.limit, data: data.sla.map(function (r) { return r.limit === null ? null : r.limit * 100; }), type: "line", showLine: false, pointStyle: "line", pointRadius: 14 },
  ], percentAxis);
  bar("rd-chart-escalation", data.escalation.map(function (r) { return r.category_label || r.category; }),
      [{ label: L.escalation, data: data.escalation.map(function (r) { return pct(r.rate); }) }], percentAxis);
  bar("rd-chart-approval", data.approval.map(function (r) { return r.category_label || r.category; }),
      [{ label: L.approval, data: data.approval.map(function (r) { return pct(r.rate); }) }], percentAxis);
  bar("rd-chart-reviewers", data.reviewers.map(function (r) { return r.reviewer; }), [
    { label: L.throughput, data: data.reviewers.map(function (r) { return r.per_hour; }), yAxisID: "y" },
    { label: L.median, data: data.reviewers.map(function (r) { return r.median_review_s; }), yAxisID: "y1" },
  ], { y: { beginAtZero: true, position: "left" }, y1: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } } });
})();
