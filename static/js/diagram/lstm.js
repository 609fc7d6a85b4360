// The LSTM module as the article draws it: the cell-state belt across the top, the
// yellow layers σ σ tanh σ, the pink pointwise ×, + and tanh, the concatenation of
// h_{t-1} and x_t, and the forks. Every wire carries a live strip of its vector.
//
// The article's LSTM variants share this drawing; the cell declares which parts it has
// (app/cells: its figure's parts), and each is drawn only where it is declared:
//   peephole_f, _i, _o   lines from the belt that join a gate's input (C_{t-1} into f and
//                        i, C_t into o), only the peepholes the model has;
//   coupled              no input gate: f forks through a "1 −" node, so i = 1 − f;
//   depth                a depth gate d, reading x_t, this layer's C_{t-1} and the cell of
//                        the layer below, lets that cell onto this layer's belt.
import { PALETTE } from "../config.js";
import { t } from "../i18n/index.js";
import { Diagram, oneMinus, times } from "./base.js";
import { el, junction, layerBox, moduleBox, pointwise, terminal, wire } from "./svg.js";

const BELT_Y = 120;
const BUS_Y = 440;
const BOX_Y = 350;
const MERGE_Y = 384;  // just under the gate boxes, where a peephole joins a gate's input
const X = { f: 250, i: 400, g: 560, o: 720, out: 830, hFork: 1000, peepIn: 190, peepOut: 660, depthIn: 200 };
const PEEP_I_Y = 310;  // the input gate's peephole runs across here
const RIGHT = 1170;  // where C_t and h_t leave the module
const DEPTH = { y: 0, below: -50, join: 300, merge: 400, box: 460 };  // the depth gate, above the module

export class LSTMDiagram extends Diagram {
  constructor(container, meta, layer, figure) {
    const top = figure.parts.includes("depth") ? -120 : 0;  // room above the module for the depth gate
    super(container, meta, layer, figure, { viewBox: `0 ${top} 1190 ${560 - top}`, ariaLabel: t(figure.label) });
  }

  draw() {
    const svg = this.svg;
    const peeps = ["f", "i", "o"].filter((gate) => this.has(`peephole_${gate}`));
    const peepIn = peeps.includes("f") || peeps.includes("i");
    moduleBox(svg, 140, 70, 910, 420);

    // The conveyor belt: C_{t-1} in, × with f_t, + with i_t * C̃_t, C_t out.
    const belt = el("g", { "data-part": "belt", class: "belt", "data-testid": "belt" }, svg);
    const beltLine = { arrow: false, className: "wire belt-line" };
    const firstStop = this.has("depth") ? "j-c-prev-depth" : peepIn ? "j-c-prev" : "forget-times";
    const firstX = { "j-c-prev-depth": X.depthIn, "j-c-prev": X.peepIn, "forget-times": X.f - 14 }[firstStop];
    wire(belt, [[20, BELT_Y], [firstX, BELT_Y]], { from: "in-c_prev", to: firstStop, ...beltLine });
    if (firstStop !== "forget-times") {
      junction(belt, firstX, BELT_Y, firstStop);
      wire(belt, [[firstX, BELT_Y], [X.f - 14, BELT_Y]], { from: firstStop, to: "forget-times", ...beltLine });
    }
    wire(belt, [[X.f + 14, BELT_Y], [X.g - 14, BELT_Y]], { from: "forget-times", to: "update-plus", ...beltLine });
    const afterPlus = peeps.includes("o") ? "j-c-peep" : "j-c-out";
    wire(belt, [[X.g + 14, BELT_Y], [afterPlus === "j-c-peep" ? X.peepOut : X.out, BELT_Y]], { from: "update-plus", to: afterPlus, ...beltLine });
    if (afterPlus === "j-c-peep") {
      junction(belt, X.peepOut, BELT_Y, "j-c-peep");
      wire(belt, [[X.peepOut, BELT_Y], [X.out, BELT_Y]], { from: "j-c-peep", to: "j-c-out", ...beltLine });
    }
    wire(belt, [[X.out, BELT_Y], [RIGHT, BELT_Y]], { from: "j-c-out", to: "out-c", className: "wire belt-line" });

    // Concatenation: h_{t-1} from the left joins x_t from below, then forks to the layers.
    const bus = el("g", { class: "bus" }, svg);
    wire(bus, [[20, BUS_Y], [200, BUS_Y]], { from: "in-h_prev", to: "j-hx", arrow: false });
    wire(bus, [[200, 550], [200, BUS_Y]], { from: "in-x", to: "j-hx", arrow: false });
    junction(bus, 200, BUS_Y, "j-hx");
    const boxes = { f: "forget", i: "input", g: "candidate", o: "output" };
    const gates = this.has("coupled") ? ["f", "g", "o"] : ["f", "i", "g", "o"];
    let from = "j-hx";
    let fromX = 200;
    gates.forEach((gate, k) => {
      const last = k === gates.length - 1;
      const at = last ? from : `j-bus-${gate}`;  // the bus ends by turning up into the last gate
      if (!last) {
        wire(bus, [[fromX, BUS_Y], [X[gate], BUS_Y]], { from, to: at, arrow: false });
        junction(bus, X[gate], BUS_Y, at);
      }
      const into = peeps.includes(gate) ? `j-in-${gate}` : boxes[gate];
      const points = last ? [[fromX, BUS_Y], [X[gate], BUS_Y]] : [[X[gate], BUS_Y]];
      wire(bus, [...points, [X[gate], into === boxes[gate] ? BOX_Y + 18 : MERGE_Y]], { from: at, to: into, arrow: into === boxes[gate] });
      [from, fromX] = [at, X[gate]];
    });

    // Step 1: the forget gate.
    const forget = el("g", { "data-part": "forget" }, svg);
    layerBox(forget, X.f, BOX_Y, "σ", "forget", { vector: "f" });
    pointwise(forget, X.f, BELT_Y, "×", "forget-times", { vector: "f_c" });
    if (this.has("coupled")) {
      wire(forget, [[X.f, BOX_Y - 17], [X.f, 230]], { from: "forget", to: "j-f", arrow: false });
      junction(forget, X.f, 230, "j-f");
      wire(forget, [[X.f, 230], [X.f, BELT_Y + 15]], { from: "j-f", to: "forget-times" });
    } else {
      wire(forget, [[X.f, BOX_Y - 17], [X.f, BELT_Y + 15]], { from: "forget", to: "forget-times" });
    }

    // Step 2: the input gate (or, coupled, 1 − f) and the candidate values, multiplied.
    if (this.has("coupled")) {
      const coupled = el("g", { "data-part": "coupled" }, svg);
      wire(coupled, [[X.f, 230], [X.i - 14, 230]], { from: "j-f", to: "one-minus" });
      pointwise(coupled, X.i, 230, "1−", "one-minus", { vector: "i" });
      wire(coupled, [[X.i + 14, 230], [X.g - 15, 230]], { from: "one-minus", to: "input-times" });
    } else {
      const input = el("g", { "data-part": "input" }, svg);
      wire(input, [[X.i, BOX_Y - 17], [X.i, 230], [X.g - 15, 230]], { from: "input", to: "input-times" });
      layerBox(input, X.i, BOX_Y, "σ", "input", { vector: "i" });
    }
    const candidate = el("g", { "data-part": "candidate" }, svg);
    wire(candidate, [[X.g, BOX_Y - 17], [X.g, 245]], { from: "candidate", to: "input-times" });
    layerBox(candidate, X.g, BOX_Y, "tanh", "candidate", { vector: "c_tilde" });
    const update = el("g", { "data-part": "update" }, svg);
    pointwise(update, X.g, 230, "×", "input-times", { vector: "i_c" });
    wire(update, [[X.g, 216], [X.g, BELT_Y + 15]], { from: "input-times", to: "update-plus" });
    pointwise(update, X.g, BELT_Y, "+", "update-plus", { vector: "c" });

    // Step 4: the output gate filters tanh(C_t).
    const output = el("g", { "data-part": "output" }, svg);
    junction(output, X.out, BELT_Y, "j-c-out");
    wire(output, [[X.out, BELT_Y], [X.out, 185]], { from: "j-c-out", to: "output-tanh" });
    pointwise(output, X.out, 200, "tanh", "output-tanh", { vector: "tanh_c" });
    wire(output, [[X.out, 215], [X.out, 285]], { from: "output-tanh", to: "output-times" });
    wire(output, [[X.o, BOX_Y - 17], [X.o, 300], [X.out - 15, 300]], { from: "output", to: "output-times" });
    layerBox(output, X.o, BOX_Y, "σ", "output", { vector: "o" });
    pointwise(output, X.out, 300, "×", "output-times", { vector: "h" });
    wire(output, [[X.out + 14, 300], [X.hFork, 300]], { from: "output-times", to: "j-h", arrow: false });
    junction(output, X.hFork, 300, "j-h");
    wire(output, [[X.hFork, 300], [X.hFork, BUS_Y], [RIGHT, BUS_Y]], { from: "j-h", to: "out-h" });
    // h_t also leaves through the top; the belt is drawn across it with a gap.
    wire(output, [[X.hFork, 300], [X.hFork, 20]], { from: "j-h", to: "out-h_top" });
    el("rect", { x: X.hFork - 5, y: BELT_Y - 8, width: 10, height: 16, fill: PALETTE.module }, svg);
    el("line", { x1: X.hFork - 6, y1: BELT_Y, x2: X.hFork + 6, y2: BELT_Y, class: "wire belt-line" }, svg);

    if (peeps.length) this.drawPeepholes(peeps);
    if (this.has("depth")) this.drawDepthGate();

    terminal(svg, 24, BELT_Y + 26, "C_{t-1}", { node: "in-c_prev", vector: "c_prev" });
    terminal(svg, 1100, BELT_Y + 26, "C_t", { node: "out-c", vector: "c", kind: "output" });
    terminal(svg, 24, BUS_Y - 10, "h_{t-1}", { node: "in-h_prev", vector: "h_prev" });
    terminal(svg, 1100, BUS_Y - 10, "h_t", { node: "out-h", vector: "h", kind: "output" });
    terminal(svg, X.hFork + 10, 34, "h_t", { node: "out-h_top", vector: "h", kind: "output" });
    terminal(svg, 170, 548, "x_t", { node: "in-x", vector: "x" });
  }

  // Peepholes (dashed): C_{t-1} runs down from the belt and joins the inputs of f and i,
  // C_t joins o's, just under each gate's box: the gate reads [C, h_{t-1}], x_t].
  drawPeepholes(peeps) {
    const dashed = { className: "wire peephole", arrow: false };
    const join = (gate, group) => {
      const box = { f: "forget", i: "input", o: "output" }[gate];
      junction(group, X[gate], MERGE_Y, `j-in-${gate}`);
      wire(group, [[X[gate], MERGE_Y], [X[gate], BOX_Y + 18]], { from: `j-in-${gate}`, to: box });
    };
    const group = (gate) => el("g", { class: "peepholes", "data-part": `peephole_${gate}`, "data-testid": `peephole-${gate}` }, this.svg);
    if (peeps.includes("f") && peeps.includes("i")) {
      const both = el("g", { class: "peepholes", "data-part": "peephole_f peephole_i" }, this.svg);
      wire(both, [[X.peepIn, BELT_Y], [X.peepIn, PEEP_I_Y]], { from: "j-c-prev", to: "j-peep-i", ...dashed });
      junction(both, X.peepIn, PEEP_I_Y, "j-peep-i");
    }
    if (peeps.includes("f")) {
      const f = group("f");
      const start = peeps.includes("i") ? ["j-peep-i", PEEP_I_Y] : ["j-c-prev", BELT_Y];
      wire(f, [[X.peepIn, start[1]], [X.peepIn, MERGE_Y], [X.f, MERGE_Y]], { from: start[0], to: "j-in-f", ...dashed });
      join("f", f);
    }
    if (peeps.includes("i")) {
      const i = group("i");
      const [from, y] = peeps.includes("f") ? ["j-peep-i", PEEP_I_Y] : ["j-c-prev", BELT_Y];
      wire(i, [[X.peepIn, y], [X.peepIn, PEEP_I_Y], [X.i - 45, PEEP_I_Y], [X.i - 45, MERGE_Y], [X.i, MERGE_Y]], { from, to: "j-in-i", ...dashed });
      join("i", i);
    }
    if (peeps.includes("o")) {
      const o = group("o");
      wire(o, [[X.peepOut, BELT_Y], [X.peepOut, MERGE_Y], [X.o, MERGE_Y]], { from: "j-c-peep", to: "j-in-o", ...dashed });
      join("o", o);
    }
  }

  // The depth gate (Yao et al. 2015): d_t = σ(W_xd·x_t + w_cd * C_t^{L-1} + w_ld * C_{t-1} + b_d)
  // reads x_t, the cell of the layer below and this layer's C_{t-1}; d_t * C_t^{L-1} joins the belt.
  drawDepthGate() {
    const group = el("g", { "data-part": "depth", "data-testid": "depth-gate" }, this.svg);
    const { y, below, join, merge, box } = DEPTH;
    terminal(group, 24, below - 10, "C_t^{L-1}", { node: "in-c_below", vector: "c_below" });
    wire(group, [[20, below], [join, below]], { from: "in-c_below", to: "j-cb", arrow: false });
    junction(group, join, below, "j-cb");
    wire(group, [[join, below], [X.g, below], [X.g, y - 15]], { from: "j-cb", to: "depth-times" });
    terminal(group, 24, y - 8, "x_t", { node: "in-x-depth", vector: "x" });
    wire(group, [[20, y], [join, y]], { from: "in-x-depth", to: "j-dx", arrow: false });
    wire(group, [[join, below], [join, y]], { from: "j-cb", to: "j-dx", arrow: false });
    junction(group, join, y, "j-dx");
    wire(group, [[join, y], [merge, y]], { from: "j-dx", to: "j-dl", arrow: false });
    wire(group, [[X.depthIn, BELT_Y], [X.depthIn, 40], [merge, 40], [merge, y]], { from: "j-c-prev-depth", to: "j-dl", arrow: false });
    junction(group, merge, y, "j-dl");
    wire(group, [[merge, y], [box - 31, y]], { from: "j-dl", to: "depth" });
    layerBox(group, box, y, "σ", "depth", { vector: "d" });
    wire(group, [[box + 30, y], [X.g - 15, y]], { from: "depth", to: "depth-times" });
    pointwise(group, X.g, y, "×", "depth-times", { vector: "d_c" });
    wire(group, [[X.g, y + 14], [X.g, BELT_Y - 15]], { from: "depth-times", to: "update-plus" });
  }

  stripLayout() {
    const layout = [
      ["c_prev", 20, 84], ["f_c", 290, 84], ["c", 1020, 84], ["f", 258, 186],
      ["i", 255, 262], ["c_tilde", 415, 262], ["i_c", 415, 160], ["tanh_c", 850, 236], ["o", 760, 372],
      ["h", 1020, 450, { labelAbove: false }], ["h_prev", 20, 450, { labelAbove: false }], ["x", 215, 505],
    ];
    if (this.has("depth")) layout.push(["c_below", 130, DEPTH.below - 40], ["d", 600, DEPTH.y - 10], ["d_c", 575, 40]);
    return layout;
  }

  derive(record, prev, x, below) {
    const g = record.gates;
    const i = g.i ?? oneMinus(g.f);
    const values = {
      c_prev: prev.c, h_prev: prev.h, x: x ?? [],
      f: g.f, i, c_tilde: g.c_tilde, o: g.o, c: record.c, h: record.h,
      f_c: times(g.f, prev.c), i_c: times(i, g.c_tilde), tanh_c: record.c.map(Math.tanh),
    };
    if (this.has("depth") && below && g.d) Object.assign(values, { c_below: below.c, d: g.d, d_c: times(g.d, below.c) });
    return values;
  }
}
