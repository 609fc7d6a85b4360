// The Train panel's learning curves: for each job, its training loss over the steps
// (solid, left axis) and its held-out accuracy (dotted, right axis), growing as progress
// frames come in. One legend entry per job, in the job's colour (the same in the lag chart);
// the axes say which line is which.
import { Chart } from "./chart.js";
import { t } from "./i18n/index.js";

export class TrainChart extends Chart {
  constructor(element, jobs) {
    super(element);
    this.jobs = jobs;  // () => [{label, colour, curve: {steps, loss, heldSteps, held}}]
  }

  render() {
    const jobs = this.jobs().filter((job) => job.curve.steps.length || job.curve.heldSteps.length);
    this.element.hidden = jobs.length === 0;
    if (!jobs.length || !this.ready(() => this.render())) return;
    const data = jobs.flatMap(({ label, colour, curve }) => {
      return [
        { type: "scatter", mode: "lines", name: label, legendgroup: label, x: curve.steps, y: curve.loss,
          line: { color: colour }, hovertemplate: `${t("train_loss_axis")}: %{y:.3f}<extra>${label}</extra>` },
        { type: "scatter", mode: "lines+markers", name: label, legendgroup: label, showlegend: false, x: curve.heldSteps,
          y: curve.held, yaxis: "y2", line: { color: colour, dash: "dot" }, marker: { size: 5 },
          hovertemplate: `${t("train_accuracy_axis")}: %{y:.1%}<extra>${label}</extra>` },
      ];
    });
    this.react(data, {
      height: 280, margin: { l: 50, r: 50, t: 10, b: 40 },
      xaxis: { title: { text: t("train_step_axis") } },
      yaxis: { title: { text: t("train_loss_axis") }, rangemode: "tozero" },
      yaxis2: { title: { text: t("train_accuracy_axis") }, overlaying: "y", side: "right", range: [0, 1.05],
        tickvals: [0, 0.25, 0.5, 0.75, 1], tickformat: ".0%" },
      legend: { orientation: "h", x: 0, y: 1.02, yanchor: "bottom" },  // above: below it would cover the axis title
    });
    this.element.dataset.jobs = String(jobs.length);
  }
}

export const JOB_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
