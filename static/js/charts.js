// What every dashboard chart shares: reading the page's json_script data, number formats in
// the page's language and currency, base options, the running period drawn as partial, and
// drawing. Loaded after Chart.js, before a page script.
window.LifecycleCharts = (function () {
  "use strict";
  const root = document.documentElement;
  const locale = root.lang || "en";
  const currency = root.dataset.currency || "USD";
  const moneyOptions = { style: "currency", currency, currencyDisplay: "narrowSymbol" };
  // A hatch for the running period's bars: it is not over, so its bar is not a full one.
  function hatch(color) {
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const pen = tile.getContext("2d");
    pen.fillStyle = color + "55";
    pen.fillRect(0, 0, 8, 8);
    pen.strokeStyle = color;
    pen.lineWidth = 2;
    pen.beginPath();
    pen.moveTo(0, 8);
    pen.lineTo(8, 0);
    pen.stroke();
    return pen.createPattern(tile, "repeat");
  }
  return {
    read(id) {
      const source = document.getElementById(id);
      return source && typeof Chart !== "undefined" ? JSON.parse(source.textContent) : null;
    },
    // Axis ticks: short ("$380K"); tooltips: exact ("$380,211.60").
    money: new Intl.NumberFormat(locale, { ...moneyOptions, notation: "compact", maximumFractionDigits: 1 }),
    exact: new Intl.NumberFormat(locale, moneyOptions), // the currency's own minor digits
    percent: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }),
    count: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    numbers(values, sign = 1) {
      return values.map((v) => (v === null ? null : sign * Number(v)));
    },
    // Counts: whole-number ticks only (no "0.5 customers").
    countTicks: { precision: 0 },
    // Rates: fit the axis to the data (a 97-99 % line is flat on 0-100 %), with some air.
    rateAxis(values, extra = {}) {
      const shown = values.filter((v) => v !== null).map(Number);
      const low = shown.length ? Math.min(...shown) : 0;
      const high = shown.length ? Math.max(...shown) : 1;
      const air = Math.max((high - low) * 0.2, 0.01);
      return {
        suggestedMin: Math.max(0, low - air),
        suggestedMax: high + air,
        ticks: { callback: (v) => window.LifecycleCharts.percent.format(v) },
        ...extra,
      };
    },
    title(text) {
      return { display: Boolean(text), text };
    },
    // The running period (data.partial): bars hatched, lines dashed into its point, and the
    // tooltip title says "so far".
    partial(data) {
      const last = data.labels.length - 1;
      const running = Boolean(data.partial) && last >= 0;
      return {
        bars(color) {
          return running ? data.labels.map((_, i) => (i === last ? hatch(color) : color)) : color;
        },
        segment: running ? { borderDash: (ctx) => (ctx.p1DataIndex === last ? [6, 4] : undefined) } : undefined,
        tooltipTitle: (items) => {
          const label = items.length ? items[0].label : "";
          return running && items.length && items[0].dataIndex === last ? `${label} (${data.so_far})` : label;
        },
      };
    },
    base: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom" } },
    },
    draw(id, config) {
      const canvas = document.getElementById(id);
      if (canvas) {
        new Chart(canvas, config);
      }
    },
  };
})();
