// The GRU (Cho et al. 2014) as the article draws it: no separate cell state; the hidden
// state runs along the top, an update gate z mixes the old state with the candidate h̃,
// and a reset gate r decides how much of h_{t-1} the candidate sees.
//
// Two formulations exist; the cell declares which this model uses by its parts:
//   reset_before  (the article's)  h̃_t = tanh(W·[r_t * h_{t-1}, x_t] + b),
//                                   h_t = (1 − z_t) * h_{t-1} + z_t * h̃_t
//   reset_after   (PyTorch's)      h̃_t = tanh(W_x·x_t + b_x + r_t * (W_h·h_{t-1} + b_h)),
//                                   h_t = z_t * h_{t-1} + (1 − z_t) * h̃_t
// so the reset × reads h_{t-1} itself, or W_h·h_{t-1} + b_h out of a linear box, and the
// "1 −" sits on the path that multiplies h_{t-1} or on the one that multiplies h̃_t.
import { PALETTE } from "../config.js";
import { t } from "../i18n/index.js";
import { Diagram, oneMinus, times } from "./base.js";
import { el, junction, layerBox, moduleBox, pointwise, terminal, wire } from "./svg.js";

const TOP_Y = 120;  // the state line: h_{t-1} in, h_t out
const BUS_Y = 440;  // [h_{t-1}, x_t] into the two gates
const BOX_Y = 350;
const Z_Y = 170;  // z forks to the two products
const H_RESET_Y = 190;  // h_{t-1} on its way to the reset ×
const CANDIDATE_Y = 400;  // [r * …, x_t] joins, under the candidate layer
const X_LINE_Y = 480;  // x_t on its way to the candidate
const X = { fork: 160, x: 220, r: 300, z: 440, reset: 560, h: 700, keep: 360, hUp: 1000 };
const RIGHT = 1170;

export class GRUDiagram extends Diagram {
  constructor(container, meta, layer, figure) {
    super(container, meta, layer, figure, { viewBox: "0 0 1190 560", ariaLabel: t(figure.label) });
  }

  get pytorch() {
    return this.has("reset_after");
  }

  draw() {
    const svg = this.svg;
    const { pytorch } = this;
    const kept = pytorch ? "z_h_prev" : "one_minus_z_h_prev";  // what the top line carries after the keep ×
    const written = pytorch ? "one_minus_z_h_tilde" : "z_h_tilde";
    moduleBox(svg, 120, 70, 930, 420);

    // The state line: h_{t-1} × (what is kept) + (what is written) = h_t.
    const top = el("g", { "data-part": "belt", class: "belt", "data-testid": "belt" }, svg);
    const line = { arrow: false, className: "wire belt-line" };
    wire(top, [[20, TOP_Y], [X.fork, TOP_Y]], { from: "in-h_prev", to: "j-top", ...line });
    junction(top, X.fork, TOP_Y, "j-top");
    wire(top, [[X.fork, TOP_Y], [X.keep - 14, TOP_Y]], { from: "j-top", to: "keep-times", ...line });
    wire(top, [[X.keep + 14, TOP_Y], [X.h - 14, TOP_Y]], { from: "keep-times", to: "update-plus", ...line });
    wire(top, [[X.h + 14, TOP_Y], [X.hUp, TOP_Y]], { from: "update-plus", to: "j-up", ...line });
    junction(top, X.hUp, TOP_Y, "j-up");
    wire(top, [[X.hUp, TOP_Y], [RIGHT, TOP_Y]], { from: "j-up", to: "out-h", className: "wire belt-line" });
    wire(top, [[X.hUp, TOP_Y], [X.hUp, 20]], { from: "j-up", to: "out-h_top" });

    // h_{t-1} forks down to the concatenation with x_t, which feeds the two gates only;
    // x_t forks on to the candidate, which reads [r * …, x_t].
    const bus = el("g", { class: "bus" }, svg);
    wire(bus, [[X.fork, TOP_Y], [X.fork, H_RESET_Y]], { from: "j-top", to: "j-h-reset", arrow: false });
    junction(bus, X.fork, H_RESET_Y, "j-h-reset");
    wire(bus, [[X.fork, H_RESET_Y], [X.fork, BUS_Y], [X.x, BUS_Y]], { from: "j-h-reset", to: "j-hx", arrow: false });
    wire(bus, [[X.x, 550], [X.x, X_LINE_Y]], { from: "in-x", to: "j-x", arrow: false });
    junction(bus, X.x, X_LINE_Y, "j-x");
    wire(bus, [[X.x, X_LINE_Y], [X.x, BUS_Y]], { from: "j-x", to: "j-hx", arrow: false });
    junction(bus, X.x, BUS_Y, "j-hx");
    wire(bus, [[X.x, BUS_Y], [X.r, BUS_Y]], { from: "j-hx", to: "j-bus-r", arrow: false });
    junction(bus, X.r, BUS_Y, "j-bus-r");
    wire(bus, [[X.r, BUS_Y], [X.r, BOX_Y + 18]], { from: "j-bus-r", to: "reset" });
    wire(bus, [[X.r, BUS_Y], [X.z, BUS_Y], [X.z, BOX_Y + 18]], { from: "j-bus-r", to: "update" });

    // The update gate: its "1 −" goes where the formulation puts it.
    const updateGate = el("g", { "data-part": "update_gate" }, svg);
    layerBox(updateGate, X.z, BOX_Y, "σ", "update", { vector: "z" });
    wire(updateGate, [[X.z, BOX_Y - 17], [X.z, Z_Y]], { from: "update", to: "j-z", arrow: false });
    junction(updateGate, X.z, Z_Y, "j-z");
    if (pytorch) {  // z keeps h_{t-1}; 1 − z writes h̃_t
      wire(updateGate, [[X.z, Z_Y], [X.keep, Z_Y], [X.keep, TOP_Y + 15]], { from: "j-z", to: "keep-times" });
      wire(updateGate, [[X.z, Z_Y], [616, Z_Y]], { from: "j-z", to: "one-minus" });
      pointwise(updateGate, 630, Z_Y, "1−", "one-minus");
      wire(updateGate, [[644, Z_Y], [X.h - 15, Z_Y]], { from: "one-minus", to: "write-times" });
    } else {  // 1 − z keeps h_{t-1}; z writes h̃_t
      wire(updateGate, [[X.z, Z_Y], [X.keep + 54, Z_Y]], { from: "j-z", to: "one-minus" });
      pointwise(updateGate, X.keep + 40, Z_Y, "1−", "one-minus");
      wire(updateGate, [[X.keep + 26, Z_Y], [X.keep, Z_Y], [X.keep, TOP_Y + 15]], { from: "one-minus", to: "keep-times" });
      wire(updateGate, [[X.z, Z_Y], [X.h - 15, Z_Y]], { from: "j-z", to: "write-times" });
    }

    // The reset gate scales h_{t-1} before the candidate's matrix product (the article),
    // or scales W_h·h_{t-1} + b_h after it (PyTorch).
    const reset = el("g", { "data-part": "reset" }, svg);
    layerBox(reset, X.r, BOX_Y, "σ", "reset", { vector: "r" });
    wire(reset, [[X.r, BOX_Y - 17], [X.r, 250], [X.reset - 15, 250]], { from: "reset", to: "reset-times" });
    if (pytorch) {
      wire(reset, [[X.fork, H_RESET_Y], [X.reset - 41, H_RESET_Y]], { from: "j-h-reset", to: "w-h" });
      layerBox(reset, X.reset, H_RESET_Y + 8, "W_h", "w-h", { op: "linear", width: 80 });
      wire(reset, [[X.reset, H_RESET_Y + 25], [X.reset, 236]], { from: "w-h", to: "reset-times" });
    } else {
      wire(reset, [[X.fork, H_RESET_Y], [X.reset, H_RESET_Y], [X.reset, 236]], { from: "j-h-reset", to: "reset-times" });
    }
    // h_{t-1}'s line passes over z's without joining it
    el("rect", { x: X.z - 6, y: H_RESET_Y - 6, width: 12, height: 12, fill: PALETTE.module }, reset);
    el("line", { x1: X.z - 7, y1: H_RESET_Y, x2: X.z + 7, y2: H_RESET_Y, class: "wire" }, reset);
    pointwise(reset, X.reset, 250, "×", "reset-times", { vector: pytorch ? undefined : "r_h" });

    const candidate = el("g", { "data-part": "candidate" }, svg);
    wire(candidate, [[X.reset, 264], [X.reset, CANDIDATE_Y], [X.h, CANDIDATE_Y]], { from: "reset-times", to: "j-candidate", arrow: false });
    wire(candidate, [[X.x, X_LINE_Y], [X.h, X_LINE_Y], [X.h, CANDIDATE_Y]], { from: "j-x", to: "j-candidate", arrow: false });
    junction(candidate, X.h, CANDIDATE_Y, "j-candidate");
    wire(candidate, [[X.h, CANDIDATE_Y], [X.h, BOX_Y + 18]], { from: "j-candidate", to: "candidate" });
    layerBox(candidate, X.h, BOX_Y, "tanh", "candidate", { vector: "h_tilde" });
    wire(candidate, [[X.h, BOX_Y - 17], [X.h, Z_Y + 15]], { from: "candidate", to: "write-times" });

    const mix = el("g", { "data-part": "mix" }, svg);
    pointwise(mix, X.keep, TOP_Y, "×", "keep-times", { vector: kept });
    pointwise(mix, X.h, Z_Y, "×", "write-times", { vector: written });
    wire(mix, [[X.h, Z_Y - 14], [X.h, TOP_Y + 15]], { from: "write-times", to: "update-plus" });
    pointwise(mix, X.h, TOP_Y, "+", "update-plus", { vector: "h" });

    terminal(svg, 24, TOP_Y + 26, "h_{t-1}", { node: "in-h_prev", vector: "h_prev" });
    terminal(svg, 1100, TOP_Y + 26, "h_t", { node: "out-h", vector: "h", kind: "output" });
    terminal(svg, X.hUp + 10, 34, "h_t", { node: "out-h_top", vector: "h", kind: "output" });
    terminal(svg, X.x - 30, 548, "x_t", { node: "in-x", vector: "x" });
  }

  stripLayout() {
    const { pytorch } = this;
    return [
      ["h_prev", 20, 84], ["h", 1020, 84],
      [pytorch ? "z_h_prev" : "one_minus_z_h_prev", 380, 84],
      [pytorch ? "one_minus_z_h_tilde" : "z_h_tilde", 715, 200],
      ["r", 310, 296, { width: 120 }], ["z", 452, 296, { width: 100 }], ["h_tilde", 715, 270], ["x", 235, 505],
      // PyTorch's r scales W_h·h_{t-1} + b_h, whose numbers the page does not have
      ...(pytorch ? [] : [["r_h", 575, 410, { width: 110, labelAbove: false }]]),
    ];
  }

  derive(record, prev, x) {
    const { z, r, h_tilde } = record.gates;
    const values = { h_prev: prev.h, x: x ?? [], z, r, h_tilde, h: record.h };
    if (this.pytorch) return { ...values, z_h_prev: times(z, prev.h), one_minus_z_h_tilde: times(oneMinus(z), h_tilde) };
    return { ...values, r_h: times(r, prev.h), one_minus_z_h_prev: times(oneMinus(z), prev.h), z_h_tilde: times(z, h_tilde) };
  }
}
