// The churn dashboard's two charts, drawn from the JSON the page embeds (json_script).
(function () {
  "use strict";
  const source = document.getElementById("churn-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const names = data.names;
  const locale = document.documentElement.lang || "en";
  const money = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
  const exact = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const numbers = (values) => values.map((v) => (v === null ? null : Number(v)));
  const colors = { voluntary: "#dc2626", involuntary: "#f59e0b", unknown: "#94a3b8", reason: "#b42318" };
  const base = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    plugins: { legend: { position: "bottom" } },
  };

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) {
      new Chart(canvas, config);
    }
  }

  draw("churn-types-chart", {
    type: "bar",
    data: {
      labels: data.labels,
      datasets: data.types.map((type) => ({
        label: type.label,
        data: numbers(type.mrr),
        customers: type.customers,
        backgroundColor: colors[type.key],
        stack: "churn",
      })),
    },
    options: {
      ...base,
      interaction: { mode: "index", intersect: false },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { callback: (v) => money.format(v) } },
      },
      plugins: {
        ...base.plugins,
        tooltip: {
          callbacks: {
            label: (c) => `${c.dataset.label}: ${exact.format(c.raw)} · ${names.customers}: ${c.dataset.customers[c.dataIndex]}`,
          },
        },
      },
    },
  });

  const reasons = data.reasons;
  const reasonsCanvas = document.getElementById("churn-reasons-chart");
  if (reasonsCanvas) {
    // One bar per reason: let the figure grow with them instead of squeezing the bars.
    reasonsCanvas.parentElement.style.height = `${Math.max(220, 36 * reasons.labels.length + 60)}px`;
  }
  draw("churn-reasons-chart", {
    type: "bar",
    data: {
      labels: reasons.labels,
      datasets: [
        { label: names.mrr, data: numbers(reasons.mrr), customers: reasons.customers, backgroundColor: colors.reason, borderRadius: 4, maxBarThickness: 26 },
      ],
    },
    options: {
      ...base,
      indexAxis: "y",
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (c) => `${names.mrr}: ${exact.format(c.raw)} · ${names.customers}: ${c.dataset.customers[c.dataIndex]}`,
          },
        },
      },
      scales: { x: { beginAtZero: true, ticks: { callback: (v) => money.format(v) } } },
    },
  });
})();
