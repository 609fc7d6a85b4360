// One plotly heatmap of every vector of the shown layer: rows are (vector, unit), columns
// are time steps. New steps are added to its arrays in place and the figure is updated
// with Plotly.react, never rebuilt.
import { Chart } from "./chart.js";
import { DIVERGING } from "./config.js";
import { plotlyScale } from "./palette.js";
import { visibleToken } from "./text.js";
import { t } from "./i18n/index.js";
import { vectorLabel } from "./vectors.js";

// plotly.js reads a few HTML tags in labels (<b>, <a href>, <br>...); a token is only text.
function plotlyText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export class Heatmap extends Chart {
  constructor(element, trace) {
    super(element);
    this.trace = trace;
    this.rows = null;
  }

  names() {
    const meta = this.trace.meta;
    return [...meta.gates, ...meta.states];
  }

  reset() {
    const H = this.trace.meta.hidden_size;
    this.rows = this.names().flatMap((name) => Array.from({ length: H }, (_, unit) => `${vectorLabel(name)} ${unit}`));
    this.z = this.rows.map(() => []);
    this.x = [];
    this.tokens = [];
  }

  addColumns() {
    const { steps } = this.trace;
    const names = this.names();
    const H = this.trace.meta.hidden_size;
    for (let t = this.x.length; t < steps.length; t++) {
      const record = this.trace.record(t);
      names.forEach((name, k) => {
        const values = record.gates[name] ?? record[name];
        for (let unit = 0; unit < H; unit++) this.z[k * H + unit].push(values[unit]);
      });
      this.x.push(t);
      this.tokens.push(plotlyText(visibleToken(steps[t].token)));
    }
  }

  // The current step's column, outlined.
  cursorShapes(now) {
    return now >= 0 ? [{ type: "rect", xref: "x", yref: "paper", x0: now - 0.5, x1: now + 0.5, y0: 0, y1: 1,
      line: { color: "#111", width: 2 } }] : [];
  }

  render(change) {
    if (!this.trace.meta) return;
    if (change === "reset" || change === "layer" || !this.rows) this.reset();
    if (!this.ready(() => this.render())) return;
    this.addColumns();
    const now = this.trace.t;
    const few = this.x.length <= 60;
    this.react([{
      type: "heatmap", z: this.z, x: this.x, y: this.rows, zmin: -1, zmax: 1,
      colorscale: plotlyScale(DIVERGING), hovertemplate: "%{y} at t = %{x}<br>value %{z:.4f}<extra></extra>",
      colorbar: { thickness: 10, len: 0.9 },
    }], {
      margin: { l: 70, r: 10, t: 10, b: 40 },
      height: 340,
      xaxis: { title: { text: t("time_axis") }, tickvals: few ? this.x : undefined, ticktext: few ? this.tokens : undefined, tickangle: 0 },
      yaxis: { autorange: "reversed", tickfont: { size: 9 } },
      shapes: this.cursorShapes(now),
    });
  }
}
