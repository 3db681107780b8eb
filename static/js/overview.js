// The overview dashboard's charts (revenue, then survey scores), drawn from the JSON the page
// embeds (json_script).
(function () {
  "use strict";
  const { read, money, percent, numbers, draw } = window.LifecycleCharts;
  const data = read("overview-data");
  if (!data) {
    return;
  }
  const names = data.names;
  const colors = {
    new: "#4f46e5", expansion: "#0ea5e9", reactivation: "#14b8a6",
    contraction: "#f59e0b", churn: "#dc2626", net: "#1c2333", customers: "#4f46e5",
    mrr: "#0ea5e9", retention: "#0f7b4f", churnRate: "#dc2626", grr: "#7c3aed", nrr: "#0ea5e9",
    nps: "#4f46e5", csat: "#0f7b4f", answers: "#cbd5e1",
  };
  const base = { ...window.LifecycleCharts.base, interaction: { mode: "index", intersect: false } };

  draw("movements-chart", {
    data: {
      labels: data.labels,
      datasets: [
        { type: "bar", label: names.new_mrr, data: numbers(data.new_mrr, 1), backgroundColor: colors.new, stack: "mrr" },
        { type: "bar", label: names.expansion_mrr, data: numbers(data.expansion_mrr, 1), backgroundColor: colors.expansion, stack: "mrr" },
        { type: "bar", label: names.reactivation_mrr, data: numbers(data.reactivation_mrr, 1), backgroundColor: colors.reactivation, stack: "mrr" },
        { type: "bar", label: names.contraction_mrr, data: numbers(data.contraction_mrr, -1), backgroundColor: colors.contraction, stack: "mrr" },
        { type: "bar", label: names.churned_mrr, data: numbers(data.churned_mrr, -1), backgroundColor: colors.churn, stack: "mrr" },
        { type: "line", label: names.net_mrr, data: numbers(data.net_mrr, 1), borderColor: colors.net, backgroundColor: colors.net, tension: 0 },
      ],
    },
    options: { ...base, scales: { x: { stacked: true }, y: { stacked: true, ticks: { callback: (v) => money.format(v) } } } },
  });

  draw("customers-chart", {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: names.customers_end, data: numbers(data.customers_end, 1), borderColor: colors.customers, backgroundColor: colors.customers, yAxisID: "customers", tension: 0 },
        { label: names.mrr_end, data: numbers(data.mrr_end, 1), borderColor: colors.mrr, backgroundColor: colors.mrr, yAxisID: "mrr", tension: 0 },
      ],
    },
    options: {
      ...base,
      scales: {
        customers: { position: "left", beginAtZero: true },
        mrr: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { callback: (v) => money.format(v) } },
      },
    },
  });

  const rateScale = { y: { ticks: { callback: (v) => percent.format(v) } } };
  const rateTooltip = { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw === null ? "—" : percent.format(c.raw)}` } };

  draw("retention-chart", {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: names.customer_retention_rate, data: numbers(data.customer_retention_rate, 1), borderColor: colors.retention, backgroundColor: colors.retention, tension: 0 },
        { label: names.customer_churn_rate, data: numbers(data.customer_churn_rate, 1), borderColor: colors.churnRate, backgroundColor: colors.churnRate, tension: 0 },
      ],
    },
    options: { ...base, scales: rateScale, plugins: { ...base.plugins, tooltip: rateTooltip } },
  });

  draw("revenue-retention-chart", {
    type: "line",
    data: {
      labels: data.labels,
      datasets: [
        { label: names.gross_revenue_retention, data: numbers(data.gross_revenue_retention, 1), borderColor: colors.grr, backgroundColor: colors.grr, tension: 0 },
        { label: names.net_revenue_retention, data: numbers(data.net_revenue_retention, 1), borderColor: colors.nrr, backgroundColor: colors.nrr, tension: 0 },
      ],
    },
    options: { ...base, scales: rateScale, plugins: { ...base.plugins, tooltip: rateTooltip } },
  });

  // Survey scores: the score as a line, the number of answers behind it as faint bars (a
  // month with three answers swings; the reader should see that). A month without answers
  // has no score: the line leaves a gap rather than inventing one.
  const score = new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: 1 });
  const answersAxis = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, ticks: { precision: 0 } };

  draw("nps-chart", {
    data: {
      labels: data.labels,
      datasets: [
        { type: "line", label: names.nps, data: numbers(data.nps, 1), borderColor: colors.nps, backgroundColor: colors.nps, yAxisID: "score", tension: 0, spanGaps: false },
        { type: "bar", label: names.nps_responses, data: numbers(data.nps_responses, 1), backgroundColor: colors.answers, yAxisID: "answers" },
      ],
    },
    options: {
      ...base,
      scales: { score: { position: "left", min: -100, max: 100, ticks: { callback: (v) => score.format(v) } }, answers: answersAxis },
      plugins: { ...base.plugins, tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw === null ? "—" : score.format(c.raw)}` } } },
    },
  });

  draw("csat-chart", {
    data: {
      labels: data.labels,
      datasets: [
        { type: "line", label: names.csat, data: numbers(data.csat, 1), borderColor: colors.csat, backgroundColor: colors.csat, yAxisID: "rate", tension: 0, spanGaps: false },
        { type: "bar", label: names.csat_responses, data: numbers(data.csat_responses, 1), backgroundColor: colors.answers, yAxisID: "answers" },
      ],
    },
    options: {
      ...base,
      scales: { rate: { position: "left", min: 0, max: 1, ticks: { callback: (v) => percent.format(v) } }, answers: answersAxis },
      plugins: {
        ...base.plugins,
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw === null ? "—" : (c.dataset.yAxisID === "rate" ? percent.format(c.raw) : c.raw)}` } },
      },
    },
  });
})();
