// Gate saturation (Karpathy et al. 2015, Fig. 3): for each gate, each unit is a point at
// (fraction of steps with the gate < 0.1, fraction > 0.9). Units near the left/top edges
// act like switches; near the origin, like a mix.
import { Chart } from "./chart.js";
import { GATE_VECTORS } from "./config.js";
import { t } from "./i18n/index.js";
import { vectorLabel } from "./vectors.js";

const LOW = 0.1;
const HIGH = 0.9;

export class Saturation extends Chart {
  constructor(element, trace) {
    super(element);
    this.trace = trace;
  }

  // fractions[gate] = {low: [H], high: [H]} over all steps so far. The counts behind
  // them grow with each new step; only a reset or another layer counts again.
  fractions(change) {
    const { meta, steps } = this.trace;
    if (change === "reset" || change === "layer" || !this.counts || this.counted > steps.length) {
      const gates = meta.gates.filter((name) => GATE_VECTORS.has(name));
      const zeros = () => new Array(meta.hidden_size).fill(0);
      this.counts = Object.fromEntries(gates.map((gate) => [gate, { low: zeros(), high: zeros() }]));
      this.counted = 0;
    }
    for (; this.counted < steps.length; this.counted++) {
      const { gates } = this.trace.record(this.counted);
      for (const [gate, { low, high }] of Object.entries(this.counts)) {
        gates[gate]?.forEach((v, u) => {
          if (v < LOW) low[u] += 1;
          else if (v > HIGH) high[u] += 1;
        });
      }
    }
    const n = Math.max(steps.length, 1);
    return Object.fromEntries(Object.entries(this.counts).map(([gate, { low, high }]) =>
      [gate, { low: low.map((c) => c / n), high: high.map((c) => c / n) }]));
  }

  render(change) {
    const { meta } = this.trace;
    if (!meta || !this.ready(() => this.render("reset"))) return;
    const fractions = this.fractions(change);
    const data = Object.entries(fractions).map(([gate, { low, high }]) => ({
      type: "scatter", mode: "markers", name: t("gate_series", { gate: vectorLabel(gate) }), x: low, y: high,
      text: low.map((_, u) => t("unit_title", { u })), hovertemplate: "%{text}: %{x:.0%} < 0.1, %{y:.0%} > 0.9<extra>%{fullData.name}</extra>",
      marker: { size: 8, opacity: 0.75 },
    }));
    this.react(data, {
      height: 300, margin: { l: 50, r: 10, t: 10, b: 44 },
      xaxis: { title: { text: t("saturation_x") }, range: [-0.02, 1.02] },
      yaxis: { title: { text: t("saturation_y") }, range: [-0.02, 1.02] },
      shapes: [{ type: "line", x0: 0, y0: 1, x1: 1, y1: 0, line: { color: "#bbb", dash: "dot", width: 1 } }],
    });
  }
}
