// The account page's score history: each NPS and CSAT answer as a point over time, NPS on
// the left axis (0-10), CSAT on the right (1-5). Data comes from json_script.
(function () {
  "use strict";
  const charts = window.LifecycleCharts;
  const data = charts && charts.read("account-scores-data");
  const canvas = document.getElementById("account-scores-chart");
  if (!data || !canvas) {
    return;
  }
  const locale = document.documentElement.lang || "en";
  const day = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric" });
  const month = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short" });
  const styles = getComputedStyle(document.documentElement);
  const accent = styles.getPropertyValue("--accent").trim() || "#4f46e5";
  const csatColor = "#f59e0b";
  charts.draw("account-scores-chart", {
    type: "scatter",
    data: {
      datasets: [
        { label: canvas.dataset.npsLabel || "NPS", data: data.nps, yAxisID: "nps", clip: false, backgroundColor: accent, borderColor: accent, pointRadius: 4 },
        { label: canvas.dataset.csatLabel || "CSAT", data: data.csat, yAxisID: "csat", clip: false, backgroundColor: csatColor, borderColor: csatColor, pointRadius: 4, pointStyle: "rectRot" },
      ],
    },
    options: {
      ...charts.base,
      layout: { padding: { top: 8 } },
      scales: {
        x: { type: "linear", ticks: { callback: (value) => month.format(new Date(value)), maxTicksLimit: 8 } },
        nps: { position: "left", min: 0, max: 10, ticks: { stepSize: 1 }, title: { display: true, text: "NPS" } },
        csat: { position: "right", min: 1, max: 5, ticks: { stepSize: 1 }, grid: { drawOnChartArea: false }, title: { display: true, text: "CSAT" } },
      },
      plugins: {
        ...charts.base.plugins,
        tooltip: {
          callbacks: {
            label: (c) => `${c.dataset.label}: ${c.raw.y} · ${day.format(new Date(c.raw.x))}`,
          },
        },
      },
    },
  });
})();
