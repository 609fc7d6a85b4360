// The Train panel's learning curves: for each job, its training loss over the steps
// (solid, left axis) and its held-out accuracy (dotted, right axis), growing as progress
// frames come in.
import { Chart } from "./chart.js";
import { t } from "./i18n/index.js";

export class TrainChart extends Chart {
  constructor(element, jobs) {
    super(element);
    this.jobs = jobs;  // () => [{label, curve: {steps, loss, heldSteps, held}}]
  }

  render() {
    const jobs = this.jobs().filter((job) => job.curve.steps.length || job.curve.heldSteps.length);
    if (!jobs.length || !this.ready(() => this.render())) return;
    const data = jobs.flatMap(({ label, curve }, k) => [
      { type: "scatter", mode: "lines", name: t("train_loss_series", { job: label }), x: curve.steps, y: curve.loss,
        line: { color: COLOURS[k % COLOURS.length] } },
      { type: "scatter", mode: "lines+markers", name: t("train_accuracy_series", { job: label }), x: curve.heldSteps,
        y: curve.held, yaxis: "y2", line: { color: COLOURS[k % COLOURS.length], dash: "dot" }, marker: { size: 5 } },
    ]);
    this.react(data, {
      height: 260, margin: { l: 50, r: 50, t: 10, b: 40 },
      xaxis: { title: { text: t("train_step_axis") } },
      yaxis: { title: { text: t("train_loss_axis") }, rangemode: "tozero" },
      yaxis2: { title: { text: t("train_accuracy_axis") }, overlaying: "y", side: "right", range: [0, 1.05], tickformat: ".0%" },
      legend: { orientation: "h", y: -0.25 },
    });
    this.element.dataset.jobs = String(jobs.length);
  }
}

const COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];
