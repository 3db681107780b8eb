// What every dashboard chart shares: reading the page's json_script data, number formats in
// the page's language, base options and drawing. Loaded after Chart.js, before a page script.
window.LifecycleCharts = (function () {
  "use strict";
  const locale = document.documentElement.lang || "en";
  return {
    read(id) {
      const source = document.getElementById(id);
      return source && typeof Chart !== "undefined" ? JSON.parse(source.textContent) : null;
    },
    money: new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }),
    exact: new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
    percent: new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 1 }),
    numbers(values, sign = 1) {
      return values.map((v) => (v === null ? null : sign * Number(v)));
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
