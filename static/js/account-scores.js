// The account page's score history: each NPS and CSAT answer as a point over time, NPS on
// the left axis (0-10), CSAT on the right (1-5). Data comes from json_script.
// Time runs along a linear axis (no date adapter is served), so the axis spans whole months
// of the site's time zone and its ticks sit on the 1st of a month, at most MAX_TICKS of them.
(function () {
  "use strict";
  const charts = window.LifecycleCharts;
  const data = charts && charts.read("account-scores-data");
  const canvas = document.getElementById("account-scores-chart");
  if (!data || !canvas) {
    return;
  }
  const MAX_TICKS = 12;
  const locale = document.documentElement.lang || "en";
  const timeZone = canvas.dataset.timeZone || undefined; // the site's, as the tables beside
  const day = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", day: "numeric", timeZone });
  const month = new Intl.DateTimeFormat(locale, { year: "numeric", month: "short", timeZone });
  const clock = new Intl.DateTimeFormat("en-US", {
    timeZone, hourCycle: "h23", year: "numeric", month: "numeric", day: "numeric",
    hour: "numeric", minute: "numeric", second: "numeric",
  });

  // A moment's calendar reading in the site's zone.
  function reading(moment) {
    const parts = {};
    clock.formatToParts(new Date(moment)).forEach((part) => { parts[part.type] = Number(part.value); });
    return parts;
  }
  // Midnight starting month `index` (months since year 0) in the site's zone, as a moment:
  // the zone's offset is read at the guess, twice in case a clock change lies between.
  function monthStart(index) {
    const wall = Date.UTC(Math.floor(index / 12), index % 12, 1);
    let moment = wall;
    for (let pass = 0; pass < 2; pass += 1) {
      const r = reading(moment);
      moment = wall - (Date.UTC(r.year, r.month - 1, r.day, r.hour, r.minute, r.second) - moment);
    }
    return moment;
  }
  // Month starts every `step` months (1, 2, 3, 4, 6, 12: aligned to the year) from the month
  // of the first answer to the month start after the last one.
  function monthTicks(moments) {
    const index = (moment) => { const r = reading(moment); return r.year * 12 + r.month - 1; };
    const first = index(Math.min(...moments));
    const last = index(Math.max(...moments)) + 1;
    const span = (s) => [Math.floor(first / s) * s, Math.ceil(last / s) * s];
    const fits = (s) => { const [from, to] = span(s); return (to - from) / s + 1 <= MAX_TICKS; };
    const step = [1, 2, 3, 4, 6, 12].find(fits) || 12; // the history is two years at most
    const [from, to] = span(step);
    const ticks = [];
    for (let i = from; i <= to; i += step) {
      ticks.push(monthStart(i));
    }
    return ticks;
  }

  const moments = [...data.nps, ...data.csat].map((point) => point.x);
  const ticks = monthTicks(moments);
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
        x: {
          type: "linear",
          min: ticks[0],
          max: ticks[ticks.length - 1],
          afterBuildTicks: (scale) => { scale.ticks = ticks.map((value) => ({ value })); },
          ticks: { callback: (value) => month.format(new Date(value)) },
        },
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
