// The LSTM module as the article draws it: the cell-state belt across the top, the
// yellow layers σ σ tanh σ, the pink pointwise ×, + and tanh, the concatenation of
// h_{t-1} and x_t, and the forks. Every wire carries a live strip of its vector.
import { PALETTE, VECTOR_LABELS } from "../config.js";
import { Strip, arrowMarker, el, label, layerBox, pointwise, wire } from "./svg.js";

const BELT_Y = 120;
const BUS_Y = 440;
const BOX_Y = 350;
const X = { f: 250, i: 400, g: 560, o: 720, out: 820, hFork: 940 };
const RIGHT = 1100;  // where C_t and h_t leave the module

// The parts of the article's four steps, for highlighting (data-part on the elements).
export const PARTS = ["forget", "input", "candidate", "update", "output"];

export function pointwiseProduct(a, b) {
  return a.map((v, k) => v * b[k]);
}

export class LSTMDiagram {
  constructor(container) {
    this.svg = el("svg", {
      viewBox: "0 0 1120 560", class: "diagram", role: "img",
      "aria-label": "LSTM module: the cell state runs along the top; forget, input and output gates below",
      "data-testid": "diagram", "data-cell": "lstm",
    }, container);
    arrowMarker(this.svg);
    this.drawModule();
    this.strips = this.drawStrips();
  }

  drawModule() {
    const svg = this.svg;
    el("rect", { x: 140, y: 70, width: 850, height: 420, rx: 26, fill: PALETTE.module, stroke: "#9aa79a" }, svg);

    // The conveyor belt: C_{t-1} in, × with f_t, + with i_t * C̃_t, C_t out.
    const belt = el("g", { "data-part": "update", class: "belt", "data-testid": "belt" }, svg);
    wire(belt, [[20, BELT_Y], [X.f - 14, BELT_Y]], { arrow: false, className: "wire belt-line" });
    wire(belt, [[X.f + 14, BELT_Y], [X.g - 14, BELT_Y]], { arrow: false, className: "wire belt-line" });
    wire(belt, [[X.g + 14, BELT_Y], [RIGHT, BELT_Y]], { className: "wire belt-line" });

    // Concatenation: h_{t-1} from the left merges with x_t from below, then forks to the four layers.
    const bus = el("g", { class: "bus" }, svg);
    wire(bus, [[20, BUS_Y], [X.o, BUS_Y]], { arrow: false });
    wire(bus, [[200, 550], [200, BUS_Y]], { arrow: false });
    el("circle", { cx: 200, cy: BUS_Y, r: 3.5, fill: PALETTE.wire }, bus);
    for (const x of [X.f, X.i, X.g, X.o]) {
      wire(bus, [[x, BUS_Y], [x, BOX_Y + 18]]);
      el("circle", { cx: x, cy: BUS_Y, r: 3.5, fill: PALETTE.wire }, bus);
    }

    // Step 1: the forget gate.
    const forget = el("g", { "data-part": "forget" }, svg);
    wire(forget, [[X.f, BOX_Y - 17], [X.f, BELT_Y + 15]]);
    layerBox(forget, X.f, BOX_Y, "σ", "forget");
    pointwise(forget, X.f, BELT_Y, "×", "forget-times");

    // Step 2: the input gate and the candidate values, multiplied.
    const input = el("g", { "data-part": "input" }, svg);
    wire(input, [[X.i, BOX_Y - 17], [X.i, 230], [X.g - 15, 230]]);
    layerBox(input, X.i, BOX_Y, "σ", "input");
    const candidate = el("g", { "data-part": "candidate" }, svg);
    wire(candidate, [[X.g, BOX_Y - 17], [X.g, 245]]);
    layerBox(candidate, X.g, BOX_Y, "tanh", "candidate");
    const update = el("g", { "data-part": "update" }, svg);
    pointwise(update, X.g, 230, "×", "input-times");
    wire(update, [[X.g, 216], [X.g, BELT_Y + 15]]);
    pointwise(update, X.g, BELT_Y, "+", "update-plus");

    // Step 4: the output gate filters tanh(C_t).
    const output = el("g", { "data-part": "output" }, svg);
    wire(output, [[X.out, BELT_Y], [X.out, 185]]);
    el("circle", { cx: X.out, cy: BELT_Y, r: 3.5, fill: PALETTE.wire }, output);
    pointwise(output, X.out, 200, "tanh", "output-tanh");
    wire(output, [[X.out, 215], [X.out, 285]]);
    wire(output, [[X.o, BOX_Y - 17], [X.o, 300], [X.out - 15, 300]]);
    layerBox(output, X.o, BOX_Y, "σ", "output");
    pointwise(output, X.out, 300, "×", "output-times");
    wire(output, [[X.out + 14, 300], [X.hFork, 300], [X.hFork, BUS_Y], [RIGHT, BUS_Y]]);
    el("circle", { cx: X.hFork, cy: 300, r: 3.5, fill: PALETTE.wire }, output);
    // h_t also leaves through the top; the belt is drawn across it with a gap.
    wire(output, [[X.hFork, 300], [X.hFork, 20]]);
    el("rect", { x: X.hFork - 5, y: BELT_Y - 8, width: 10, height: 16, fill: PALETTE.module }, svg);
    el("line", { x1: X.hFork - 6, y1: BELT_Y, x2: X.hFork + 6, y2: BELT_Y, class: "wire belt-line" }, svg);

    label(svg, 24, BELT_Y + 26, "C_{t-1}", { class: "io-label" });
    label(svg, 1040, BELT_Y + 26, "C_t", { class: "io-label" });
    label(svg, 24, BUS_Y - 10, "h_{t-1}", { class: "io-label" });
    label(svg, 1040, BUS_Y - 10, "h_t", { class: "io-label" });
    label(svg, X.hFork + 10, 34, "h_t", { class: "io-label" });
    label(svg, 170, 548, "x_t", { class: "io-label" });
  }

  drawStrips() {
    const s = (name, x, y, options) => [name, new Strip(this.svg, name, x, y, VECTOR_LABELS[name], options)];
    return Object.fromEntries([
      s("c_prev", 20, 84),
      s("f_c", 285, 84),
      s("c", 960, 84),
      s("f", 104, 240),
      s("i", 256, 280),
      s("c_tilde", 568, 262),
      s("i_c", 410, 160),
      s("tanh_c", 660, 160),
      s("o", 755, 372),
      s("h", 960, 450, { labelAbove: false }),
      s("h_prev", 20, 450, { labelAbove: false }),
      s("x", 210, 505),
    ]);
  }

  // Draw one step: record = the layer's frame record, prev = {c, h} it started from, x = its input.
  update(record, prev, x) {
    const g = record.gates;
    const values = {
      c_prev: prev.c, h_prev: prev.h, x: x ?? [],
      f: g.f, i: g.i, c_tilde: g.c_tilde, o: g.o, c: record.c, h: record.h,
      f_c: pointwiseProduct(g.f, prev.c),
      i_c: pointwiseProduct(g.i, g.c_tilde),
      tanh_c: record.c.map(Math.tanh),
    };
    for (const [name, strip] of Object.entries(this.strips)) strip.update(values[name]);
    this.values = values;
  }

  clear() {
    for (const strip of Object.values(this.strips)) strip.update([]);
    this.values = null;
  }
}
