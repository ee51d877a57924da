// The goal page's chart: the metric over time, the target line and the straight pace line.
// Data comes from a json_script block, so the template never builds JavaScript from strings.
(function () {
  function draw() {
    document.querySelectorAll("canvas[data-goal-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var spec = JSON.parse(document.getElementById(canvas.dataset.goalChart).textContent);
      var lang = document.documentElement.lang || "ru";
      var num = new Intl.NumberFormat(lang === "en" ? "en-US" : "ru-RU", { maximumFractionDigits: 1 });
      var points = spec.labels.map(function (d, i) { return { x: d, y: spec.datasets[0].data[i] }; });
      var last = spec.pace[1].x;
      new Chart(canvas, {
        type: "line",
        data: { datasets: [
          { label: spec.datasets[0].label, data: points, borderColor: "#1f3b5c", backgroundColor: "rgba(31,59,92,.15)", fill: true, tension: 0 },
          { label: spec.names.pace, data: spec.pace, borderColor: "#888", borderDash: [6, 4], pointRadius: 0, fill: false },
          { label: spec.names.target, data: [{ x: spec.pace[0].x, y: spec.target }, { x: last, y: spec.target }], borderColor: "#2e8b57", pointRadius: 0, fill: false }
        ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          scales: { x: { type: "category", labels: Array.from(new Set(spec.labels.concat([spec.pace[0].x, last]))).sort() },
                    y: { beginAtZero: true, ticks: { callback: function (v) { return num.format(v); } } } },
          plugins: { legend: { position: "bottom" } } }
      });
      canvas.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
