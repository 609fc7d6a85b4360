// One plotly heatmap of every vector of the shown layer: rows are (vector, unit), columns
// are time steps labelled with their tokens. Each vector is a trace of its own, coloured on
// its scale as everywhere on the page (palette.js): gates 0 → 1, other values −1 → +1, the
// belt through tanh(C); the keys above it say so. New steps are added to its arrays in
// place and the figure is updated with Plotly.react, never rebuilt.
import { Chart, cursorColour, timeAxis } from "./chart.js";
import { plotlyScale, scaleOf, shownValue } from "./palette.js";
import { BELT_VECTORS } from "./config.js";
import { vectorLabel } from "./vectors.js";

export class Heatmap extends Chart {
  constructor(element, trace) {
    super(element);
    this.trace = trace;
    this.series = null;
  }

  // Per vector: the colours' values (z) of its units' rows and, for the belt, the raw ones.
  // Every trace spans all rows (plotly.js mislays the rows of a second heatmap trace whose
  // categories are not the first's), its own filled, the others' left empty (not drawn).
  reset() {
    const { meta } = this.trace;
    const H = meta.hidden_size;
    const names = [...meta.gates, ...meta.states];
    this.rows = names.flatMap((name) => Array.from({ length: H }, (_, unit) => `${vectorLabel(name)} ${unit}`));
    const allRows = () => this.rows.map(() => []);
    this.series = names.map((name, k) => {
      const z = allRows();
      const raw = BELT_VECTORS.has(name) ? allRows() : null;
      return { name, z, raw, own: z.slice(k * H, (k + 1) * H), ownRaw: raw?.slice(k * H, (k + 1) * H) };
    });
    this.x = [];
  }

  addColumns() {
    const { steps } = this.trace;
    for (let t = this.x.length; t < steps.length; t++) {
      const record = this.trace.record(t);
      for (const { name, own, ownRaw } of this.series) {
        const values = record.gates[name] ?? record[name];
        values.forEach((value, unit) => {
          own[unit].push(shownValue(name, value));
          ownRaw?.[unit].push(value);
        });
      }
      this.x.push(t);
    }
  }

  // The current step's column, outlined.
  cursorShapes(now) {
    return now >= 0 ? [{ type: "rect", xref: "x", yref: "paper", x0: now - 0.5, x1: now + 0.5, y0: 0, y1: 1,
      line: { color: cursorColour(), width: 2 } }] : [];
  }

  render(change) {
    if (!this.trace.meta) return;
    if (change === "reset" || change === "layer" || !this.series) this.reset();
    if (!this.ready(() => this.render())) return;
    this.addColumns();
    this.react(this.series.map(({ name, z, raw }) => ({
      type: "heatmap", name: vectorLabel(name), z, x: this.x, y: this.rows, customdata: raw ?? undefined,
      ...plotlyScale(scaleOf(name)), showscale: false,
      hovertemplate: raw ? "%{y}, t = %{x}: %{customdata:.4f} → tanh %{z:.4f}<extra></extra>" : "%{y}, t = %{x}: %{z:.4f}<extra></extra>",
    })), {
      margin: { l: 70, r: 10, t: 10, b: 40 },
      height: 340,
      xaxis: timeAxis(this.trace, this.element),
      yaxis: { autorange: "reversed", tickfont: { size: 9 } },
      shapes: this.cursorShapes(this.trace.t),
    });
  }
}
