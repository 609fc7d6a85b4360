// The long-term dependency problem as its trainer measured it: accuracy on the held-out
// "France … French" task against the number of filler words between the two. Drawn for
// the main and the compared model (from their files' metrics), and for the jobs the Train
// panel is training, as they learn (from their snapshots).
import { Chart } from "./chart.js";
import { t } from "./i18n/index.js";

// A model summary's curve, or null when its file has none.
export const summaryCurve = (summary) =>
  summary?.metrics?.accuracy_by_lag ? { name: summary.name, byLag: summary.metrics.accuracy_by_lag } : null;

export class LagCurve extends Chart {
  constructor(element, curves) {
    super(element);
    this.curves = curves;  // () => [{name, byLag: {lag: accuracy}, colour?} or null, ...]
  }

  render() {
    const curves = this.curves().filter(Boolean);
    this.element.hidden = curves.length === 0;
    if (!curves.length || !this.ready(() => this.render())) return;
    const data = curves.map(({ name, byLag, colour }) => {
      const lags = Object.keys(byLag).map(Number).sort((a, b) => a - b);
      // Gaps as categories: the short ones (0, 1, 2, 3) the plain RNN bridges get as much
      // room as the long ones it cannot.
      return { type: "scatter", mode: "lines+markers", name, x: lags.map(String), y: lags.map((lag) => byLag[lag]),
        ...(colour ? { line: { color: colour } } : {}) };
    });
    this.react(data, {
      height: 260, margin: { l: 50, r: 10, t: 28, b: 40 },
      title: { text: t("lag_title"), font: { size: 13 }, yref: "container", y: 1, yanchor: "top", pad: { t: 6 } },
      xaxis: { title: { text: t("lag_axis") }, type: "category" },
      yaxis: { range: [0, 1.05], tickvals: [0, 0.25, 0.5, 0.75, 1], tickformat: ".0%" },
      legend: { orientation: "h", x: 0, y: 1, yanchor: "bottom" },  // above: below it would cover the axis title
    });
    this.element.dataset.models = curves.map((c) => c.name).join(",");
  }
}
