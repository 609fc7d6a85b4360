// One plotly heatmap of every vector of the shown layer: rows are (vector, unit), columns
// are time steps. Created once; new steps are added to its arrays in place and plotly
// redraws with Plotly.react, never rebuilding the figure.
import { DIVERGING } from "./config.js";
import { plotlyScale } from "./palette.js";
import { loadPlotly } from "./plotly-loader.js";
import { visibleToken } from "./text.js";

// plotly.js reads a few HTML tags in labels (<b>, <a href>, <br>...); a token is only text.
function plotlyText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export class Heatmap {
  constructor(element, trace) {
    this.element = element;
    this.trace = trace;
    this.plotly = null;
    this.revision = 0;
    loadPlotly().then((plotly) => {
      this.plotly = plotly;
      this.render("reset");
    }).catch((error) => {
      element.textContent = error.message;
    });
  }

  names() {
    const meta = this.trace.meta;
    return [...meta.gates, ...meta.states];
  }

  reset() {
    const meta = this.trace.meta;
    const H = meta.hidden_size;
    this.rows = this.names().flatMap((name) => Array.from({ length: H }, (_, unit) => `${name} ${unit}`));
    this.z = this.rows.map(() => []);
    this.x = [];
    this.tokens = [];
    this.seen = 0;
  }

  addColumns() {
    const { steps } = this.trace;
    const names = this.names();
    const H = this.trace.meta.hidden_size;
    for (let t = this.seen; t < steps.length; t++) {
      const record = this.trace.record(t);
      names.forEach((name, k) => {
        const values = record.gates[name] ?? record[name];
        for (let unit = 0; unit < H; unit++) this.z[k * H + unit].push(values[unit]);
      });
      this.x.push(t);
      this.tokens.push(plotlyText(visibleToken(steps[t].token)));
    }
    this.seen = steps.length;
  }

  render(change) {
    if (!this.plotly || !this.trace.meta) return;
    if (change === "reset" || !this.rows) this.reset();
    this.addColumns();
    const t = this.trace.t;
    const trace = {
      type: "heatmap", z: this.z, x: this.x, y: this.rows, zmin: -1, zmax: 1,
      colorscale: plotlyScale(DIVERGING), hovertemplate: "%{y} at t = %{x}<br>value %{z:.4f}<extra></extra>",
      colorbar: { thickness: 10, len: 0.9 },
    };
    const layout = {
      datarevision: ++this.revision,
      margin: { l: 70, r: 10, t: 10, b: 40 },
      height: 340,
      xaxis: { title: { text: "time step t" }, tickvals: this.x.length <= 60 ? this.x : undefined,
        ticktext: this.x.length <= 60 ? this.tokens : undefined, tickangle: 0 },
      yaxis: { autorange: "reversed", tickfont: { size: 9 } },
      shapes: t >= 0 ? [{ type: "rect", xref: "x", yref: "paper", x0: t - 0.5, x1: t + 0.5, y0: 0, y1: 1,
        line: { color: "#111", width: 2 } }] : [],
    };
    this.plotly.react(this.element, [trace], layout, { displayModeBar: false, responsive: true });
  }
}
