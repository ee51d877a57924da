// The goal page's chart: the metric over time, the target line and the straight pace line.
// x is days since the goal's start (a linear axis keeps dates in proportion without a date
// adapter); ticks show the dates. Data comes from a json_script block.
(function () {
  function draw() {
    document.querySelectorAll("canvas[data-goal-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var spec = JSON.parse(document.getElementById(canvas.dataset.goalChart).textContent);
      var lang = document.documentElement.lang || "ru";
      var locale = lang === "en" ? "en-GB" : "ru-RU";
      var num = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
      var dates = new Intl.DateTimeFormat(locale, { day: "2-digit", month: "2-digit", year: "2-digit" });
      var start = new Date(spec.start + "T00:00:00");
      function dateOf(days) { var d = new Date(start); d.setDate(d.getDate() + Math.round(days)); return dates.format(d); }
      new Chart(canvas, {
        type: "line",
        data: { datasets: [
          { label: spec.label, data: spec.points, borderColor: "#1f3b5c", backgroundColor: "rgba(31,59,92,.15)", fill: true, tension: 0 },
          { label: spec.names.pace, data: spec.pace, borderColor: "#888", borderDash: [6, 4], pointRadius: 0, fill: false },
          { label: spec.names.target, data: [{ x: spec.min, y: spec.target }, { x: spec.max, y: spec.target }], borderColor: "#2e8b57", pointRadius: 0, fill: false }
        ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, parsing: false,
          scales: { x: { type: "linear", min: spec.min, max: spec.max, ticks: { callback: dateOf } },
                    y: { beginAtZero: true, ticks: { callback: function (v) { return num.format(v); } } } },
          plugins: { legend: { position: "bottom" },
            tooltip: { callbacks: { title: function (items) { return items.length ? dateOf(items[0].parsed.x) : ""; } } } } }
      });
      canvas.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
