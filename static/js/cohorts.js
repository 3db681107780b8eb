// The cohort page's retention curves: one faint line per cohort, their size-weighted average
// bold, drawn from the JSON the page embeds (json_script).
(function () {
  "use strict";
  const charts = window.LifecycleCharts;
  const data = charts.read("cohort-curves-data");
  if (!data) {
    return;
  }
  const labels = data.offsets.map((k) => String(k));
  const all = [...data.average, ...data.cohorts.flatMap((c) => c.rates)];
  const faint = (i) => `hsla(${(225 + i * 23) % 360}, 55%, 55%, 0.45)`;
  charts.draw("cohort-curves-chart", {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: data.names.average, data: charts.numbers(data.average), borderColor: "#1c2333", backgroundColor: "#1c2333", borderWidth: 3, tension: 0, order: 0 },
        ...data.cohorts.map((cohort, i) => ({
          label: cohort.label, data: charts.numbers(cohort.rates), borderColor: faint(i), backgroundColor: faint(i),
          borderWidth: 1.5, pointRadius: 0, tension: 0, order: 1,
        })),
      ],
    },
    options: {
      ...charts.base,
      interaction: { mode: "nearest", intersect: false },
      scales: {
        x: { title: charts.title(data.names.axis) },
        y: charts.rateAxis(all, { beginAtZero: false }),
      },
      plugins: {
        ...charts.base.plugins,
        legend: { position: "bottom", labels: { filter: (item) => item.datasetIndex === 0 || data.cohorts.length <= 12 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw === null ? "—" : charts.percent.format(c.raw)}` } },
      },
    },
  });
})();
