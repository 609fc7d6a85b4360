// The plain RNN, the article's first figure: one tanh layer, h_t = tanh(W·[h_{t-1}, x_t] + b).
// It has no belt: what it carries from step to step is h_t alone.
import { t } from "../i18n/index.js";
import { Diagram } from "./base.js";
import { el, junction, layerBox, moduleBox, terminal, wire } from "./svg.js";

const BUS_Y = 440;
const BOX = { x: 560, y: 300 };
const RIGHT = 1100;

export class RNNDiagram extends Diagram {
  constructor(container, meta, layer, figure) {
    super(container, meta, layer, figure, { ariaLabel: t(figure.label) });
  }

  draw() {
    const svg = this.svg;
    moduleBox(svg, 300, 150, 560, 340);
    const group = el("g", { "data-part": "rnn" }, svg);
    wire(group, [[20, BUS_Y], [400, BUS_Y]], { from: "in-h_prev", to: "j-hx", arrow: false });
    wire(group, [[400, 550], [400, BUS_Y]], { from: "in-x", to: "j-hx", arrow: false });
    junction(group, 400, BUS_Y, "j-hx");
    wire(group, [[400, BUS_Y], [BOX.x, BUS_Y], [BOX.x, BOX.y + 18]], { from: "j-hx", to: "rnn" });
    layerBox(group, BOX.x, BOX.y, "tanh", "rnn", { vector: "h" });
    wire(group, [[BOX.x, BOX.y - 17], [BOX.x, 220], [760, 220]], { from: "rnn", to: "j-h", arrow: false });
    junction(group, 760, 220, "j-h");
    wire(group, [[760, 220], [760, BUS_Y], [RIGHT, BUS_Y]], { from: "j-h", to: "out-h" });
    wire(group, [[760, 220], [760, 20]], { from: "j-h", to: "out-h_top" });
    terminal(svg, 24, BUS_Y - 10, "h_{t-1}", { node: "in-h_prev", vector: "h_prev" });
    terminal(svg, 1040, BUS_Y - 10, "h_t", { node: "out-h", vector: "h", kind: "output" });
    terminal(svg, 770, 34, "h_t", { node: "out-h_top", vector: "h", kind: "output" });
    terminal(svg, 370, 548, "x_t", { node: "in-x", vector: "x" });
  }

  stripLayout() {
    return [
      ["h_prev", 20, 450, { labelAbove: false }], ["x", 410, 505],
      ["h", 960, 450, { labelAbove: false }], ["h_top", 780, 60],
    ];
  }

  derive(record, prev, x) {
    return { h_prev: prev.h, x: x ?? [], h: record.h, h_top: record.h };
  }
}
