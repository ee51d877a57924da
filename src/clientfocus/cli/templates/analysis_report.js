// Draws the charts of the self-contained analysis report from the JSON block #data.
(function () {
  var d = JSON.parse(document.getElementById("data").textContent);
  new Chart(document.getElementById("pareto"), {
    type: "line",
    data: { datasets: [
      { label: d.labels.curve, data: d.pareto, borderColor: "#1f3b5c", pointRadius: 0, fill: true,
        backgroundColor: "rgba(31,59,92,.15)" },
      { label: "80%", data: [{ x: 0, y: 80 }, { x: d.key_share, y: 80 }, { x: d.key_share, y: 0 }],
        borderColor: "#d64541", borderDash: [6, 4], pointRadius: 0 }
    ] },
    options: { parsing: false, animation: false, maintainAspectRatio: false,
      scales: { x: { type: "linear", min: 0, max: 100 }, y: { min: 0, max: 100 } } }
  });
  new Chart(document.getElementById("abcd"), {
    type: "bar",
    data: { labels: d.categories.map(function (c) { return c.category; }), datasets: [
      { label: d.labels.revenue, data: d.categories.map(function (c) { return c.revenue_12m / 100; }),
        backgroundColor: "#1f3b5c" },
      { label: d.labels.potential, data: d.categories.map(function (c) { return c.potential / 100; }),
        backgroundColor: "#9fb7d1" }
    ] },
    options: { animation: false, maintainAspectRatio: false }
  });
  var colours = { I: "#adb5bd", II: "#5da9e9", III: "#2e8b57", IV: "#f0932b" };
  new Chart(document.getElementById("scatter"), {
    type: "scatter",
    data: { datasets: Object.keys(colours).map(function (q) {
      return { label: q, backgroundColor: colours[q],
        data: d.scatter.filter(function (p) { return p.quadrant === q; }).map(function (p) {
          return { x: p.loyalty, y: Math.max(p.profitability / 100, 1), name: p.name };
        }) };
    }) },
    options: { animation: false, maintainAspectRatio: false,
      scales: { x: { min: 0, max: 1 }, y: { type: "logarithmic" } },
      plugins: { tooltip: { callbacks: { label: function (c) { return c.raw.name; } } } } }
  });
  var box = document.getElementById("cells");
  d.cells.forEach(function (c) {
    var s = document.createElement("span");
    s.className = "cell " + (c.temperature_colour || "");
    s.title = c.category + " · " + c.name;
    box.appendChild(s);
  });
})();
