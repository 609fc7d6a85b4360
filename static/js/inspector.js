// Unit inspector: the selected unit's gates and states over time, one line each.
import { Chart, cursorShape, hoverTokens, timeAxis } from "./chart.js";
import { t } from "./i18n/index.js";
import { vectorLabel } from "./vectors.js";

export class Inspector extends Chart {
  constructor(element, trace) {
    super(element);
    this.trace = trace;
  }

  cursorShapes(now) {
    return cursorShape(now);
  }

  render() {
    const { meta, unit, steps } = this.trace;
    if (!meta || !this.ready(() => this.render())) return;
    const x = steps.map((_, t) => t);
    const hover = { text: hoverTokens(this.trace), hovertemplate: "t = %{x} “%{text}”: %{y:.4f}<extra>%{fullData.name}</extra>" };
    const data = [...meta.gates, ...meta.states].map((name) => ({
      type: "scatter", mode: "lines", name: vectorLabel(name), x, y: this.trace.series(name, unit),
      line: { width: name === "c" || name === "h" ? 2.5 : 1.5 }, ...hover,
    }));
    // tanh(C) beside C: what the output gate filters (h = o * tanh(C)) when C runs past ±1.
    if (meta.states.includes("c")) {
      data.push({ type: "scatter", mode: "lines", name: vectorLabel("tanh_c"), x, y: this.trace.series("tanh_c", unit),
        line: { width: 2, dash: "dot" }, ...hover });
    }
    this.react(data, {
      height: 260, margin: { l: 40, r: 24, t: 24, b: 36 },  // (room for the last token's label)
      title: { text: t("unit_title", { u: unit }), font: { size: 13 } },
      xaxis: timeAxis(this.trace, this.element), yaxis: { zeroline: true },
      legend: { orientation: "h", y: -0.45, yanchor: "top" },
      shapes: this.cursorShapes(this.trace.t),
    });
  }
}
