// The LSTM module as the article draws it: the cell-state belt across the top, the
// yellow layers σ σ tanh σ, the pink pointwise ×, + and tanh, the concatenation of
// h_{t-1} and x_t, and the forks. Every wire carries a live strip of its vector.
//
// The article's LSTM variants share this drawing, with what each one changes:
//   peephole  lines from the belt into the gates that have a peephole (C_{t-1} to f
//             and i, C_t to o), only those the model has;
//   cifg      no input gate: f forks through a "1 −" node, so i = 1 − f;
//   dglstm    a depth gate d lets the cell of the layer below onto this layer's belt.
import { PALETTE } from "../config.js";
import { t } from "../i18n/index.js";
import { Diagram, oneMinus, times } from "./base.js";
import { el, moduleBox, junction, label, layerBox, pointwise, wire } from "./svg.js";

const BELT_Y = 120;
const BUS_Y = 440;
const BOX_Y = 350;
const X = { f: 250, i: 400, g: 560, o: 720, out: 820, hFork: 940, peep: 190, peepOut: 780 };
const RIGHT = 1100;  // where C_t and h_t leave the module
const DEPTH_Y = 36;  // the depth gate's line, above the module


export class LSTMDiagram extends Diagram {
  constructor(container, meta, layer) {
    const options = meta.cell_options ?? {};
    const variant = {
      coupled: meta.cell === "cifg",
      peepholes: new Set(meta.cell === "peephole" ? options.peepholes ?? ["f", "i", "o"] : []),
      depth: meta.cell === "dglstm" && layer > 0,
    };
    const top = variant.depth ? -40 : 0;  // room above the module for the depth gate
    super(container, meta, layer, { viewBox: `0 ${top} 1120 ${560 - top}`, ariaLabel: t(`diagram_${variant.depth || meta.cell !== "dglstm" ? meta.cell : "lstm"}`), variant });
  }

  get variant() {
    return this.options.variant;
  }

  draw() {
    const svg = this.svg;
    const { coupled, peepholes, depth } = this.variant;
    moduleBox(svg, 140, 70, 850, 420);

    // The conveyor belt: C_{t-1} in, × with f_t, + with i_t * C̃_t, C_t out.
    const belt = el("g", { "data-part": "belt", class: "belt", "data-testid": "belt" }, svg);
    wire(belt, [[20, BELT_Y], [X.f - 14, BELT_Y]], { arrow: false, className: "wire belt-line" });
    wire(belt, [[X.f + 14, BELT_Y], [X.g - 14, BELT_Y]], { arrow: false, className: "wire belt-line" });
    wire(belt, [[X.g + 14, BELT_Y], [RIGHT, BELT_Y]], { className: "wire belt-line" });

    // Concatenation: h_{t-1} from the left merges with x_t from below, then forks to the layers.
    const bus = el("g", { class: "bus" }, svg);
    wire(bus, [[20, BUS_Y], [X.o, BUS_Y]], { arrow: false });
    wire(bus, [[200, 550], [200, BUS_Y]], { arrow: false });
    junction(bus, 200, BUS_Y);
    for (const x of coupled ? [X.f, X.g, X.o] : [X.f, X.i, X.g, X.o]) {
      wire(bus, [[x, BUS_Y], [x, BOX_Y + 18]]);
      junction(bus, x, BUS_Y);
    }

    // Step 1: the forget gate.
    const forget = el("g", { "data-part": "forget" }, svg);
    wire(forget, [[X.f, BOX_Y - 17], [X.f, BELT_Y + 15]]);
    layerBox(forget, X.f, BOX_Y, "σ", "forget");
    pointwise(forget, X.f, BELT_Y, "×", "forget-times");

    // Step 2: the input gate (or, coupled, 1 − f) and the candidate values, multiplied.
    const input = el("g", { "data-part": "input" }, svg);
    if (coupled) {
      wire(input, [[X.f, 230], [X.i - 14, 230]]);
      junction(input, X.f, 230);
      pointwise(input, X.i, 230, "1−", "one-minus");
      wire(input, [[X.i + 14, 230], [X.g - 15, 230]]);
    } else {
      wire(input, [[X.i, BOX_Y - 17], [X.i, 230], [X.g - 15, 230]]);
      layerBox(input, X.i, BOX_Y, "σ", "input");
    }
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
    junction(output, X.out, BELT_Y);
    pointwise(output, X.out, 200, "tanh", "output-tanh");
    wire(output, [[X.out, 215], [X.out, 285]]);
    wire(output, [[X.o, BOX_Y - 17], [X.o, 300], [X.out - 15, 300]]);
    layerBox(output, X.o, BOX_Y, "σ", "output");
    pointwise(output, X.out, 300, "×", "output-times");
    wire(output, [[X.out + 14, 300], [X.hFork, 300], [X.hFork, BUS_Y], [RIGHT, BUS_Y]]);
    junction(output, X.hFork, 300);
    // h_t also leaves through the top; the belt is drawn across it with a gap.
    wire(output, [[X.hFork, 300], [X.hFork, 20]]);
    el("rect", { x: X.hFork - 5, y: BELT_Y - 8, width: 10, height: 16, fill: PALETTE.module }, svg);
    el("line", { x1: X.hFork - 6, y1: BELT_Y, x2: X.hFork + 6, y2: BELT_Y, class: "wire belt-line" }, svg);

    if (peepholes.size) this.drawPeepholes(peepholes);
    if (depth) this.drawDepthGate();

    label(svg, 24, BELT_Y + 26, "C_{t-1}", { class: "io-label" });
    label(svg, 1040, BELT_Y + 26, "C_t", { class: "io-label" });
    label(svg, 24, BUS_Y - 10, "h_{t-1}", { class: "io-label" });
    label(svg, 1040, BUS_Y - 10, "h_t", { class: "io-label" });
    label(svg, X.hFork + 10, 34, "h_t", { class: "io-label" });
    label(svg, 170, 548, "x_t", { class: "io-label" });
  }

  // Peepholes: C_{t-1} into f and i, C_t into o; dashed, as extra inputs to the gate layers.
  drawPeepholes(peepholes) {
    const group = el("g", { class: "peepholes", "data-testid": "peepholes" }, this.svg);
    const peep = (gate, points) => {
      const path = wire(group, points, { className: "wire peephole" });
      path.dataset.testid = `peephole-${gate}`;
    };
    if (peepholes.has("f") || peepholes.has("i")) junction(group, X.peep, BELT_Y);
    if (peepholes.has("f")) peep("f", [[X.peep, BELT_Y], [X.peep, BOX_Y], [X.f - 31, BOX_Y]]);
    if (peepholes.has("i")) peep("i", [[X.peep, BELT_Y], [X.peep, 300], [X.i - 45, 300], [X.i - 45, BOX_Y], [X.i - 31, BOX_Y]]);
    if (peepholes.has("o")) {
      junction(group, X.peepOut, BELT_Y);
      peep("o", [[X.peepOut, BELT_Y], [X.peepOut, BOX_Y], [X.o + 31, BOX_Y]]);
    }
  }

  // The depth gate (Yao et al. 2015): d_t * C_t of the layer below is added onto this belt.
  drawDepthGate() {
    const group = el("g", { "data-part": "depth", "data-testid": "depth-gate" }, this.svg);
    wire(group, [[20, DEPTH_Y], [X.g - 14, DEPTH_Y]], { className: "wire belt-line" });
    layerBox(group, X.i, DEPTH_Y, "σ", "depth");
    pointwise(group, X.g, DEPTH_Y, "×", "depth-times");
    wire(group, [[X.g, DEPTH_Y + 14], [X.g, BELT_Y - 15]]);
    label(group, 24, DEPTH_Y - 10, t("depth_below"), { class: "io-label small" });
  }

  stripLayout() {
    const { coupled, depth } = this.variant;
    const layout = [
      ["c_prev", 20, 84], ["f_c", 285, 84], ["c", 960, 84], ["f", 104, 240],
      ["i", coupled ? 330 : 256, coupled ? 262 : 280],
      ["c_tilde", 568, 262], ["i_c", 410, 160], ["tanh_c", 660, 160], ["o", 755, 372],
      ["h", 960, 450, { labelAbove: false }], ["h_prev", 20, 450, { labelAbove: false }], ["x", 210, 505],
    ];
    if (depth) layout.push(["c_below", 160, DEPTH_Y - 34], ["d", X.i + 40, DEPTH_Y - 34], ["d_c", X.g + 20, DEPTH_Y + 4]);
    return layout;
  }

  derive(record, prev, x, below) {
    const g = record.gates;
    const values = {
      c_prev: prev.c, h_prev: prev.h, x: x ?? [],
      f: g.f, i: g.i ?? oneMinus(g.f), c_tilde: g.c_tilde, o: g.o, c: record.c, h: record.h,
      f_c: times(g.f, prev.c),
      i_c: times(g.i ?? oneMinus(g.f), g.c_tilde),
      tanh_c: record.c.map(Math.tanh),
    };
    if (this.variant.depth && below && g.d) {
      Object.assign(values, { c_below: below.c, d: g.d, d_c: times(g.d, below.c) });
    }
    return values;
  }
}
