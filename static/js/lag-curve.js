// The long-term dependency problem as its trainer measured it: accuracy on the held-out
// "France … French" task against the number of filler words between the two, for the main
// and the compared model (from their files' metrics). Shown only when the main model was
// measured so, and with the compared one only when it was too: another task's model has
// no place on this axis.
import { Chart } from "./chart.js";
import { t } from "./i18n/index.js";

export class LagCurve extends Chart {
  constructor(element, summaries) {
    super(element);
    this.summaries = summaries;  // () => the model summaries to plot, main first
  }

  render() {
    const [main, ...others] = this.summaries();
    const curves = main?.metrics?.accuracy_by_lag ? [main, ...others.filter((m) => m?.metrics?.accuracy_by_lag)] : [];
    this.element.hidden = curves.length === 0;
    if (!curves.length || !this.ready(() => this.render())) return;
    const data = curves.map((m) => {
      const lags = Object.keys(m.metrics.accuracy_by_lag).map(Number).sort((a, b) => a - b);
      // Gaps as categories: the short ones (0, 1, 2, 3) the plain RNN bridges get as much
      // room as the long ones it cannot.
      return { type: "scatter", mode: "lines+markers", name: m.name, x: lags.map(String),
        y: lags.map((lag) => m.metrics.accuracy_by_lag[lag]) };
    });
    this.react(data, {
      height: 240, margin: { l: 50, r: 10, t: 28, b: 40 },
      title: { text: t("lag_title"), font: { size: 13 } },
      xaxis: { title: { text: t("lag_axis") }, type: "category" }, yaxis: { range: [0, 1.05], tickformat: ".0%" },
      legend: { orientation: "h", y: -0.3 },
    });
    this.element.dataset.models = curves.map((m) => m.name).join(",");
  }
}
