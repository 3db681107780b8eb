// Draws an MRR line chart from the JSON that the page embeds with json_script.
(function () {
  "use strict";
  const canvas = document.getElementById("mrr-chart");
  const source = document.getElementById("mrr-chart-data");
  if (!canvas || !source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const root = document.documentElement;
  const moneyOptions = { style: "currency", currency: root.dataset.currency || "USD", currencyDisplay: "narrowSymbol" };
  const money = new Intl.NumberFormat(root.lang || "en", { ...moneyOptions, notation: "compact", maximumFractionDigits: 1 });
  const exact = new Intl.NumberFormat(root.lang || "en", moneyOptions);
  const values = data.mrr.map(Number);
  const styles = getComputedStyle(document.documentElement);
  const accent = styles.getPropertyValue("--accent").trim() || "#4f46e5";
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [{
        label: canvas.dataset.seriesLabel || "MRR",
        data: values,
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
      plugins: { legend: { display: false }, tooltip: { callbacks: { label: (c) => exact.format(c.raw) } } },
      // An account with no MRR still gets a readable axis (not "0 0 0 1 1 1").
      scales: { y: { beginAtZero: true, suggestedMax: Math.max(...values) > 0 ? undefined : 100, ticks: { maxTicksLimit: 6, callback: (value) => money.format(value) } } },
    },
  });
})();
