// What the plotly panels share: plotly.js is fetched only when a chart is first shown,
// and each figure is made once and then updated in place with Plotly.react.
import { t } from "./i18n/index.js";
import { loadPlotly } from "./plotly-loader.js";

export class Chart {
  constructor(element) {
    this.element = element;
    this.plotly = null;
    this.revision = 0;
  }

  // Returns false (and starts loading plotly) until plotly is there.
  ready(onLoad) {
    if (this.plotly) return true;
    loadPlotly().then((plotly) => {
      this.plotly = plotly;
      onLoad();
    }).catch(() => {
      this.element.textContent = t("plotly_failed");
    });
    return false;
  }

  // Only the time step moved: the cursor moves, the data stays (a relayout of the
  // shapes alone, not a redraw). Charts without a cursor have no cursorShapes.
  moveCursor(t) {
    if (!this.plotly || !this.element.layout || !this.cursorShapes) return;
    this.plotly.relayout(this.element, { shapes: this.cursorShapes(t) });
  }

  react(data, layout) {
    this.plotly.react(this.element, data, { ...layout, datarevision: ++this.revision },
      { displayModeBar: false, responsive: true });
  }
}

// A vertical line at time step t, for charts over time.
export function cursorShape(t) {
  return t >= 0
    ? [{ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1, line: { color: "#111", width: 1.5 } }]
    : [];
}
