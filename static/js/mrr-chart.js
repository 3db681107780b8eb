// Draws an MRR line chart from the JSON that the page embeds with json_script.
(function () {
  "use strict";
  const canvas = document.getElementById("mrr-chart");
  const source = document.getElementById("mrr-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const locale = document.documentElement.lang || "en";
  const money = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const styles = getComputedStyle(document.documentElement);
  const accent = styles.getPropertyValue("--accent").trim() || "#4f46e5";
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{
        label: canvas.dataset.seriesLabel || "MRR",
        data: data.mrr.map(Number),
        borderColor: accent,
        backgroundColor: accent + "22",
        fill: true,
        tension: 0, // straight segments: a curve would invent values between month ends
        pointRadius: 3,
      }],
    },
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, ticks: { callback: (value) => money.format(value) } } },
    },
  });
})();
