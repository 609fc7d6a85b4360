// What the plotly panels share: plotly.js is fetched only when a chart is first shown,
// and each figure is made once and then updated in place with Plotly.react.
import { t } from "./i18n/index.js";
import { loadPlotly } from "./plotly-loader.js";
import { visibleToken } from "./text.js";

export class Chart {
  constructor(element) {
    this.element = element;
    this.plotly = null;
    this.revision = 0;
    // What the chart waits for, said in place of empty axes: plotly.js at first, then the chart's own.
    this.notice = document.createElement("p");
    this.notice.className = "chart-notice";
    this.notice.dataset.testid = "chart-notice";
    element?.append(this.notice);  // (a recording keeps only the panels it holds: others have no element)
    this.say(t("chart_loading"));
  }

  // Say what the chart is waiting for (null: nothing).
  say(text) {
    this.notice.textContent = text ?? "";
    this.notice.hidden = !text;
  }

  // Returns false (and starts loading plotly) until plotly is there.
  ready(onLoad) {
    if (this.plotly) return true;
    loadPlotly().then((plotly) => {
      this.plotly = plotly;
      onLoad();
    }, () => this.say(t("plotly_failed")));  // (a failure of the drawing itself is no failure to load)
    return false;
  }

  // Only the time step moved: the cursor moves, the data stays (a relayout of the
  // shapes alone, not a redraw). Charts without a cursor have no cursorShapes.
  moveCursor(t) {
    if (!this.plotly || !this.element.layout || !this.cursorShapes) return;
    this.plotly.relayout(this.element, { shapes: this.cursorShapes(t) });
  }

  react(data, layout) {
    if (!this.drawn) this.say(null);  // (plotly.js is here)
    this.drawn = true;
    this.rendered = this.plotly.react(this.element, data, { ...themed(layout), datarevision: ++this.revision },
      { displayModeBar: false, responsive: true });
    // plotly's `responsive` follows the window only; the box also changes width on its own
    // (a neighbouring chart appears in its row), so the figure follows the box, once drawn.
    if (!this.resizing && typeof ResizeObserver === "function") {
      this.resizing = new ResizeObserver(() => this.rendered.then(() => {
        if (this.element.offsetParent !== null) return this.plotly.Plots.resize(this.element);
      }).catch(() => {}));
      this.resizing.observe(this.element);
    }
  }
}

// plotly draws its own colours, not the style sheet's: in the dark theme (fixed for the
// page's life) a figure takes the page's background, and its text, axes and grid the page's
// ink and lines, so a chart is not a white card on a dark page.
// The dark theme's colours, read from the style sheet once (null: the light theme).
let darkColours;
function darkTheme() {
  if (darkColours === undefined) {
    const root = document.documentElement, style = getComputedStyle(root);
    const colour = (name) => style.getPropertyValue(name).trim();
    darkColours = root.dataset.theme === "dark" ? { ink: colour("--ink"), line: colour("--line"), muted: colour("--muted") } : null;
  }
  return darkColours;
}

function themed(layout) {
  const dark = darkTheme();
  if (!dark) return layout;
  const { ink, line, muted } = dark;  // (the zero line in muted: zero matters on a gate's scale)
  const axes = Object.entries({ xaxis: {}, yaxis: {}, ...layout }).filter(([key]) => /^[xy]axis\d*$/.test(key))
    .map(([key, axis]) => [key, { gridcolor: line, zerolinecolor: muted, linecolor: line, ...axis }]);
  return {
    ...layout, ...Object.fromEntries(axes),
    paper_bgcolor: "rgba(0,0,0,0)", plot_bgcolor: "rgba(0,0,0,0)", font: { color: ink, ...layout.font },
  };
}

// The colour of a line drawn over a chart (the time cursor): the page's ink.
export const cursorColour = () => darkTheme()?.ink ?? "#111";

// A vertical line at time step t, for charts over time.
export function cursorShape(t) {
  return t >= 0
    ? [{ type: "line", xref: "x", yref: "paper", x0: t, x1: t, y0: 0, y1: 1, line: { color: cursorColour(), width: 1.5 } }]
    : [];
}

// plotly.js reads a few HTML tags in labels (<b>, <a href>, <br>...); a token is only text.
function plotlyText(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

const LABEL_CHARS = 6;  // a token's label on a time axis: at most this many characters
const CHAR_PX = 7;      // about a Latin character's width at the axis's font size (a Chinese one: twice)

const labelWidth = (label) => Array.from(label).reduce((px, ch) => px + (ch.codePointAt(0) >= 0x2e80 ? 2 : 1) * CHAR_PX, 8);

// Each step's token, for a chart's hover text.
export const hoverTokens = (trace) => trace.steps.map((step) => plotlyText(visibleToken(step.token)));

// A time axis labelled with the tokens read: every step's token where they fit in the
// chart's width, else every k-th (the hover still names each step).
export function timeAxis(trace, element) {
  const labels = trace.steps.map((step) => visibleToken(step.token).slice(0, LABEL_CHARS));
  const widest = labels.reduce((px, label) => Math.max(px, labelWidth(label)), 0);
  const room = Math.max(element.clientWidth - 80, 100);  // the plot area, without its margins
  const every = Math.max(1, Math.ceil((labels.length * widest) / room));
  const shown = labels.map((_, k) => k).filter((k) => k % every === 0);
  return {
    title: { text: t("time_axis") }, tickangle: 0,
    tickvals: shown, ticktext: shown.map((k) => plotlyText(labels[k])),
  };
}
