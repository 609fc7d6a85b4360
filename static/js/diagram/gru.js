// The GRU (Cho et al. 2014) as the article draws it: no separate cell state; the hidden
// state runs along the top, an update gate z mixes the old state with the candidate h̃,
// and a reset gate r decides how much of h_{t-1} the candidate sees.
//
// Two formulations exist and the model says which (cell_options.gru_variant):
//   article  h̃_t = tanh(W·[r_t * h_{t-1}, x_t]),          h_t = (1 − z_t) * h_{t-1} + z_t * h̃_t
//   pytorch  h̃_t = tanh(W_x x_t + r_t * (W_h h_{t-1})),   h_t = z_t * h_{t-1} + (1 − z_t) * h̃_t
// (PyTorch and Keras apply r after the matrix product, and their z keeps the old state.)
import { t } from "../i18n/index.js";
import { Diagram, oneMinus, times } from "./base.js";
import { el, moduleBox, junction, label, layerBox, pointwise, wire } from "./svg.js";

const TOP_Y = 120;
const BUS_Y = 440;
const BOX_Y = 350;
const X = { fork: 160, r: 300, z: 440, reset: 560, h: 700, minus: 440, hUp: 940 };
const RIGHT = 1100;

export class GRUDiagram extends Diagram {
  constructor(container, meta, layer) {
    const pytorch = meta.cell_options?.gru_variant === "pytorch";
    super(container, meta, layer, {
      ariaLabel: t(pytorch ? "diagram_gru_pytorch" : "diagram_gru_article"),
      pytorch,
    });
  }

  draw() {
    const svg = this.svg;
    const { pytorch } = this.options;
    moduleBox(svg, 120, 70, 880, 420);

    // The state line: h_{t-1} × (keep) + (write) = h_t.
    const top = el("g", { "data-part": "belt", class: "belt", "data-testid": "belt" }, svg);
    wire(top, [[20, TOP_Y], [X.r + 46, TOP_Y]], { arrow: false, className: "wire belt-line" });
    pointwise(top, X.r + 60, TOP_Y, "×", "keep-times");
    wire(top, [[X.r + 74, TOP_Y], [X.h - 14, TOP_Y]], { arrow: false, className: "wire belt-line" });
    pointwise(top, X.h, TOP_Y, "+", "update-plus");
    wire(top, [[X.h + 14, TOP_Y], [RIGHT, TOP_Y]], { className: "wire belt-line" });
    wire(top, [[X.hUp, TOP_Y], [X.hUp, 20]]);
    junction(top, X.hUp, TOP_Y);

    // h_{t-1} forks down to the concatenation with x_t, and across to the reset ×.
    const bus = el("g", { class: "bus" }, svg);
    wire(bus, [[X.fork, TOP_Y], [X.fork, BUS_Y], [X.h, BUS_Y]], { arrow: false });
    junction(bus, X.fork, TOP_Y);
    wire(bus, [[220, 550], [220, BUS_Y]], { arrow: false });
    junction(bus, 220, BUS_Y);
    for (const x of [X.r, X.z]) {
      wire(bus, [[x, BUS_Y], [x, BOX_Y + 18]]);
      junction(bus, x, BUS_Y);
    }
    wire(bus, [[X.h, BUS_Y], [X.h, BOX_Y + 18]]);

    // The reset gate scales h_{t-1} before (article) or inside (PyTorch) the candidate layer.
    const reset = el("g", { "data-part": "reset" }, svg);
    layerBox(reset, X.r, BOX_Y, "σ", "reset");
    wire(reset, [[X.r, BOX_Y - 17], [X.r, 250], [X.reset - 15, 250]]);
    wire(reset, [[X.fork, 190], [X.reset, 190], [X.reset, 236]]);
    junction(reset, X.fork, 190);
    pointwise(reset, X.reset, 250, "×", "reset-times");
    wire(reset, [[X.reset, 264], [X.reset, 400], [X.h, 400]], { arrow: false });
    junction(reset, X.h, 400);
    if (pytorch) label(reset, X.reset + 10, 300, t("gru_after_wh"), { class: "strip-label" });

    // The update gate: its "1 −" goes where the formulation puts it.
    const updateGate = el("g", { "data-part": "update-gate" }, svg);
    layerBox(updateGate, X.z, BOX_Y, "σ", "update");
    wire(updateGate, [[X.z, BOX_Y - 17], [X.z, 170]], { arrow: false });
    junction(updateGate, X.z, 170);
    // to the keep ×: (1 − z) in the article's form, z in PyTorch's
    wire(updateGate, [[X.z, 170], [X.r + 60, 170], [X.r + 60, TOP_Y + 15]]);
    // to the write ×: z in the article's form, (1 − z) in PyTorch's
    wire(updateGate, [[X.z, 170], [X.h - 15, 170]]);
    pointwise(updateGate, pytorch ? X.h - 70 : X.r + 60, pytorch ? 170 : 150, "1−", "one-minus");

    const candidate = el("g", { "data-part": "candidate" }, svg);
    layerBox(candidate, X.h, BOX_Y, "tanh", "candidate");
    wire(candidate, [[X.h, BOX_Y - 17], [X.h, 185]]);
    pointwise(candidate, X.h, 170, "×", "write-times");
    wire(candidate, [[X.h, 156], [X.h, TOP_Y + 15]]);

    label(svg, 24, TOP_Y + 26, "h_{t-1}", { class: "io-label" });
    label(svg, 1040, TOP_Y + 26, "h_t", { class: "io-label" });
    label(svg, X.hUp + 10, 34, "h_t", { class: "io-label" });
    label(svg, 190, 548, "x_t", { class: "io-label" });
  }

  stripLayout() {
    return [
      ["h_prev", 20, 84], ["keep_h", 380, 84], ["h", 960, 84],
      ["r", 150, 280], ["z", 450, 290], ["r_h", 570, 310], ["h_tilde", 710, 270], ["write_h", 720, 190],
      ["x", 230, 505],
    ];
  }

  derive(record, prev, x) {
    const { z, r, h_tilde } = record.gates;
    const keep = this.options.pytorch ? z : oneMinus(z);   // what multiplies h_{t-1}
    const write = this.options.pytorch ? oneMinus(z) : z;  // what multiplies h̃_t
    return {
      h_prev: prev.h, x: x ?? [], z, r, h_tilde, h: record.h,
      r_h: this.options.pytorch ? [] : times(r, prev.h),  // PyTorch's r scales W_h h, not h
      keep_h: times(keep, prev.h), write_h: times(write, h_tilde),
    };
  }
}
