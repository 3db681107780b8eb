// The overview dashboard's charts (revenue, then survey scores), drawn from the JSON the page
// embeds (json_script). The running month is drawn as partial (charts.js).
(function () {
  "use strict";
  const charts = window.LifecycleCharts;
  const { read, money, exact, percent, count, numbers, draw, title, countTicks } = charts;
  const data = read("overview-data");
  if (!data) {
    return;
  }
  const names = data.names;
  const colors = {
    new: "#4f46e5", expansion: "#0ea5e9", reactivation: "#14b8a6",
    contraction: "#f59e0b", churn: "#dc2626", net: "#1c2333", customers: "#4f46e5",
    mrr: "#0ea5e9", retention: "#0f7b4f", churnRate: "#dc2626", grr: "#7c3aed", nrr: "#0ea5e9",
    nps: "#4f46e5", csat: "#0f7b4f", answers: "#94a3b8",
    promoters: "#0f7b4f", passives: "#cbd5e1", detractors: "#dc2626",
  };
  const partial = charts.partial(data);
  const base = { ...charts.base, interaction: { mode: "index", intersect: false } };
  const tooltip = (label) => ({ callbacks: { title: partial.tooltipTitle, label } });
  // Unclipped: Chart.js cuts a line at the chart area when its axis has a fixed end, which
  // halved a point at NPS 100 or CSAT 100% (the top tick label leaves room above it); no
  // line here leaves its axis otherwise.
  const line = (label, values, color, extra = {}) => ({
    type: "line", label, data: values, borderColor: color, backgroundColor: color, tension: 0,
    segment: partial.segment, clip: false, ...extra,
  });
  const bar = (label, values, color, extra = {}) => ({
    type: "bar", label, data: values, backgroundColor: partial.bars(color), borderColor: color, ...extra,
  });
  const show = (format) => (c) => `${c.dataset.label}: ${c.raw === null ? "—" : format(c.raw)}`;

  draw("movements-chart", {
    data: {
      labels: data.labels,
      datasets: [
        bar(names.new_mrr, numbers(data.new_mrr, 1), colors.new, { stack: "mrr" }),
        bar(names.expansion_mrr, numbers(data.expansion_mrr, 1), colors.expansion, { stack: "mrr" }),
        bar(names.reactivation_mrr, numbers(data.reactivation_mrr, 1), colors.reactivation, { stack: "mrr" }),
        bar(names.contraction_mrr, numbers(data.contraction_mrr, -1), colors.contraction, { stack: "mrr" }),
        bar(names.churned_mrr, numbers(data.churned_mrr, -1), colors.churn, { stack: "mrr" }),
        line(names.net_mrr, numbers(data.net_mrr, 1), colors.net),
      ],
    },
    options: {
      ...base,
      scales: { x: { stacked: true }, y: { stacked: true, title: title(data.names.axis_mrr), ticks: { callback: (v) => money.format(v) } } },
      plugins: { ...base.plugins, tooltip: tooltip(show((v) => exact.format(v))) },
    },
  });

  draw("customers-chart", {
    data: {
      labels: data.labels,
      datasets: [
        line(names.customers_end, numbers(data.customers_end, 1), colors.customers, { yAxisID: "customers" }),
        line(names.mrr_end, numbers(data.mrr_end, 1), colors.mrr, { yAxisID: "mrr" }),
      ],
    },
    options: {
      ...base,
      scales: {
        customers: { position: "left", beginAtZero: true, title: title(names.axis_customers), ticks: countTicks },
        mrr: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: title(names.axis_mrr), ticks: { callback: (v) => money.format(v) } },
      },
      plugins: {
        ...base.plugins,
        tooltip: tooltip((c) => `${c.dataset.label}: ${c.dataset.yAxisID === "mrr" ? exact.format(c.raw) : count.format(c.raw)}`),
      },
    },
  });

  // Retention and churn are far apart (97 % and 3 %): each gets its own axis fitted to it.
  const retention = numbers(data.customer_retention_rate, 1);
  const churn = numbers(data.customer_churn_rate, 1);
  draw("retention-chart", {
    data: {
      labels: data.labels,
      datasets: [
        line(names.customer_retention_rate, retention, colors.retention, { yAxisID: "retention" }),
        line(names.customer_churn_rate, churn, colors.churnRate, { yAxisID: "churn" }),
      ],
    },
    options: {
      ...base,
      scales: {
        retention: charts.rateAxis(retention, { position: "left", title: title(names.customer_retention_rate) }),
        churn: charts.rateAxis(churn, { position: "right", grid: { drawOnChartArea: false }, title: title(names.customer_churn_rate) }),
      },
      plugins: { ...base.plugins, tooltip: tooltip(show((v) => percent.format(v))) },
    },
  });

  const grr = numbers(data.gross_revenue_retention, 1);
  const nrr = numbers(data.net_revenue_retention, 1);
  draw("revenue-retention-chart", {
    data: {
      labels: data.labels,
      datasets: [line(names.gross_revenue_retention, grr, colors.grr), line(names.net_revenue_retention, nrr, colors.nrr)],
    },
    options: {
      ...base,
      scales: { y: charts.rateAxis([...grr, ...nrr], { title: title(names.axis_rate) }) },
      plugins: { ...base.plugins, tooltip: tooltip(show((v) => percent.format(v))) },
    },
  });

  // Survey scores. A month without answers has no score: the line leaves a gap rather than
  // inventing one. How many answers stand behind each month is the stacked chart beside it.
  const score = new Intl.NumberFormat(document.documentElement.lang || "en", { maximumFractionDigits: 1 });
  draw("nps-chart", {
    data: {
      labels: data.labels,
      datasets: [line(names.nps, numbers(data.nps, 1), colors.nps, { yAxisID: "score", spanGaps: false })],
    },
    options: {
      ...base,
      scales: {
        score: {
          position: "left", min: -100, max: 100, title: title(names.axis_nps),
          ticks: { stepSize: 50, callback: (v) => score.format(v) },
          grid: { color: (c) => (c.tick.value === 0 ? "#64748b" : "#e2e8f0") },
        },
      },
      plugins: { ...base.plugins, tooltip: tooltip(show((v) => score.format(v))) },
    },
  });

  draw("nps-mix-chart", {
    data: {
      labels: data.labels,
      datasets: [
        bar(names.promoters, numbers(data.promoters, 1), colors.promoters, { stack: "answers" }),
        bar(names.passives, numbers(data.passives, 1), colors.passives, { stack: "answers" }),
        bar(names.detractors, numbers(data.detractors, 1), colors.detractors, { stack: "answers" }),
      ],
    },
    options: {
      ...base,
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, title: title(names.axis_answers), ticks: countTicks } },
      plugins: { ...base.plugins, tooltip: tooltip(show((v) => count.format(v))) },
    },
  });

  const csat = numbers(data.csat, 1);
  draw("csat-chart", {
    data: {
      labels: data.labels,
      datasets: [
        line(names.csat, csat, colors.csat, { yAxisID: "rate", spanGaps: false }),
        bar(names.csat_responses, numbers(data.csat_responses, 1), colors.answers, { yAxisID: "answers", order: 1 }),
      ],
    },
    options: {
      ...base,
      scales: {
        rate: charts.rateAxis(csat, { position: "left", max: 1, title: title(names.csat) }),
        answers: { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: title(names.axis_answers), ticks: countTicks },
      },
      plugins: {
        ...base.plugins,
        tooltip: tooltip((c) => `${c.dataset.label}: ${c.raw === null ? "—" : (c.dataset.yAxisID === "rate" ? percent.format(c.raw) : count.format(c.raw))}`),
      },
    },
  });
})();
