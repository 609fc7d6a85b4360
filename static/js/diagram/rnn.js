// The plain RNN, the article's first figure: one tanh layer, h_t = tanh(W·[h_{t-1}, x_t] + b).
// The Clockwork RNN (Koutník et al. 2014) shares it: its units form modules with periods
// 1, 2, 4, …; a module updates only on steps divisible by its period and is drawn idle
// (faded, its h carried over unchanged) on the others.
import { t } from "../i18n/index.js";
import { Diagram } from "./base.js";
import { el, moduleBox, junction, label, layerBox, wire } from "./svg.js";

const BUS_Y = 440;
const BOX = { x: 560, y: 300 };
const RIGHT = 1100;

export class RNNDiagram extends Diagram {
  constructor(container, meta, layer) {
    const clockwork = meta.cell === "cwrnn";
    super(container, meta, layer, {
      ariaLabel: t(clockwork ? "diagram_cwrnn" : "diagram_rnn"),
      clockwork,
    });
  }

  draw() {
    const svg = this.svg;
    moduleBox(svg, 300, 150, 560, 340);
    const group = el("g", { "data-part": "rnn" }, svg);
    wire(group, [[20, BUS_Y], [BOX.x, BUS_Y], [BOX.x, BOX.y + 18]]);
    wire(group, [[400, 550], [400, BUS_Y]], { arrow: false });
    junction(group, 400, BUS_Y);
    layerBox(group, BOX.x, BOX.y, "tanh", "rnn");
    wire(group, [[BOX.x, BOX.y - 17], [BOX.x, 220], [760, 220], [760, BUS_Y], [RIGHT, BUS_Y]]);
    wire(group, [[760, 220], [760, 20]]);
    junction(group, 760, 220);
    label(svg, 24, BUS_Y - 10, "h_{t-1}", { class: "io-label" });
    label(svg, 1040, BUS_Y - 10, "h_t", { class: "io-label" });
    label(svg, 770, 34, "h_t", { class: "io-label" });
    label(svg, 370, 548, "x_t", { class: "io-label" });
    if (this.options.clockwork) this.drawModules();
  }

  // One small block per module, labelled with its period; idle ones are faded.
  drawModules() {
    const periods = this.meta.cell_options?.periods ?? [];
    const group = el("g", { class: "modules", "data-testid": "clock-modules" }, this.svg);
    label(group, 610, 120, t("cw_modules"), { class: "strip-label" });
    this.modules = periods.map((period, k) => {
      const block = el("g", { class: "module", "data-period": period, "data-testid": "clock-module" }, group);
      el("rect", { x: 610 + k * 62, y: 128, width: 56, height: 24, rx: 4 }, block);
      el("text", { x: 638 + k * 62, y: 145, "text-anchor": "middle", class: "module-text" }, block).textContent = `T=${period}`;
      return block;
    });
  }

  stripLayout() {
    return [
      ["h_prev", 20, 450, { labelAbove: false }], ["x", 410, 505],
      ["h", 960, 450, { labelAbove: false }], ["h_top", 780, 60],
    ];
  }

  derive(record, prev, x) {
    const active = record.active ?? null;
    if (this.modules && active) {
      const size = active.length / this.modules.length;
      this.modules.forEach((block, k) => block.classList.toggle("idle", active[k * size] < 0.5));
    }
    for (const name of ["h", "h_top"]) this.strips[name].group.classList.toggle("clockwork", Boolean(active));
    this.active = active;
    return { h_prev: prev.h, x: x ?? [], h: record.h, h_top: record.h };
  }

  update(record, prev, x, below) {
    super.update(record, prev, x, below);
    // Units of idle modules keep h_{t-1}: draw them faded.
    for (const name of ["h", "h_top"]) {
      this.strips[name].cells.forEach((cell, unit) =>
        cell.classList.toggle("idle", Boolean(this.active) && this.active[unit] < 0.5));
    }
  }
}
