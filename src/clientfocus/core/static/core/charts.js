// Draws the charts of a page from <script type="application/json"> blocks (json_script),
// so templates never build JavaScript by string concatenation.
(function () {
  function fmt(lang, digits) {
    return new Intl.NumberFormat(lang === "en" ? "en-US" : "ru-RU", { maximumFractionDigits: digits });
  }
  function build(spec, lang) {
    var money = fmt(lang, 0);
    if (spec.type === "line") {  // the Pareto curve: x and y are percentages
      return {
        type: "line",
        data: { datasets: [
          { label: spec.labels.curve, data: spec.points, borderColor: "#1f3b5c", backgroundColor: "rgba(31,59,92,.15)",
            fill: true, pointRadius: 0, tension: 0 },
          { label: spec.labels.line, data: [{ x: 0, y: 80 }, { x: spec.key_share, y: 80 }, { x: spec.key_share, y: 0 }],
            borderColor: "#d64541", borderDash: [6, 4], pointRadius: 0, fill: false }
        ] },
        options: { responsive: true, maintainAspectRatio: false, animation: false, parsing: false,
          scales: { x: { type: "linear", min: 0, max: 100, title: { display: true, text: spec.labels.x } },
                    y: { min: 0, max: 100, title: { display: true, text: spec.labels.y } } },
          plugins: { legend: { position: "bottom" } } }
      };
    }
    if (spec.type === "scatter") {  // loyalty x profitability; a click opens the company
      return {
        type: "scatter",
        data: { datasets: spec.datasets },
        options: { responsive: true, maintainAspectRatio: false, animation: false,
          scales: { x: { min: 0, max: 1, title: { display: true, text: spec.labels.x } },
                    // Profitability is heavy-tailed (Pareto): a log axis keeps the small clients visible.
                    y: { type: "logarithmic", title: { display: true, text: spec.labels.y }, ticks: { callback: function (v) { return money.format(v); } } } },
          plugins: { legend: { position: "bottom" },
            tooltip: { callbacks: { label: function (c) { return c.raw.name + " (" + c.dataset.label + ")"; } } } },
          onClick: function (e, items) {
            if (items.length) { var p = spec.datasets[items[0].datasetIndex].data[items[0].index]; window.location = "/companies/" + p.id + "/"; }
          } }
      };
    }
    return {
      type: spec.type || "bar",
      data: { labels: spec.labels, datasets: spec.datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" },
          tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + money.format(c.parsed.y); } } } },
        scales: { y: { beginAtZero: true, ticks: { callback: function (v) { return money.format(v); } } } } }
    };
  }
  function draw() {
    var lang = document.documentElement.lang || "ru";
    document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
      if (canvas.dataset.drawn) return;
      var spec = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
      new Chart(canvas, build(spec, lang));
      canvas.dataset.drawn = "1";
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSettle", draw);
})();
