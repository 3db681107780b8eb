// The churn dashboard's two charts, drawn from the JSON the page embeds (json_script).
(function () {
  "use strict";
  const { read, money, exact, numbers, base, draw } = window.LifecycleCharts;
  const data = read("churn-data");
  if (!data) {
    return;
  }
  const names = data.names;
  const colors = { voluntary: "#dc2626", involuntary: "#f59e0b", unknown: "#94a3b8", reason: "#b42318" };

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
