// Bar widths and cohort shades arrive as data attributes, not style="…": the
// Content-Security-Policy (style-src 'self') refuses inline styles in the markup, but lets a
// script set the same properties through the CSSOM. Loaded by the overview, churn and
// cohort pages after their content.
(function () {
  "use strict";
  const number = (text) => {
    const value = Number.parseFloat(text);
    return Number.isFinite(value) ? value : null;
  };
  document.querySelectorAll("[data-bar-width]").forEach((element) => {
    const percent = number(element.dataset.barWidth);
    if (percent !== null) {
      element.style.width = `${percent}%`;
    }
  });
  document.querySelectorAll("[data-rate]").forEach((element) => {
    const rate = number(element.dataset.rate);
    if (rate !== null) {
      element.style.setProperty("--rate", String(rate));
    }
  });
})();
