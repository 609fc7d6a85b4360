// The Clockwork RNN (Koutník et al. 2014): the plain RNN's one tanh layer, whose units are
// split into modules with periods T_g = 1, 2, 4, …. At step t a module takes the layer's new
// value only if t mod T_g = 0; otherwise it keeps h_{t-1}: the pink switch picks, unit by
// unit. The modules are drawn as the clock that drives the switch (not learned layers),
// each labelled with its period and faded when idle; the arrows between them are the
// layer's recurrent connections between modules, from slow to fast: a module reads the
// modules at least as slow as itself, never faster ones.
import { t } from "../i18n/index.js";
import { Diagram } from "./base.js";
import { el, junction, label, layerBox, moduleBox, terminal, wire } from "./svg.js";

const BUS_Y = 440;
const BOX = { x: 560, y: 300 };
const SWITCH = { x: 760, y: 300, width: 100, height: 32 };
const OLD_Y = 250;  // h_{t-1} on its way to the switch
const ROW = { x: 330, y: 150, width: 64, gap: 26, height: 26 };  // the module blocks
const H_FORK = 930;
const RIGHT = 1100;

export class ClockworkDiagram extends Diagram {
  constructor(container, meta, layer, figure) {
    super(container, meta, layer, figure, { ariaLabel: t(figure.label) });
  }

  get periods() {
    return this.meta.cell_options?.periods ?? [];
  }

  draw() {
    const svg = this.svg;
    moduleBox(svg, 120, 90, 880, 400);
    this.drawModules();

    const layer = el("g", { "data-part": "layer" }, svg);
    wire(layer, [[20, BUS_Y], [150, BUS_Y]], { from: "in-h_prev", to: "j-old", arrow: false });
    junction(layer, 150, BUS_Y, "j-old");
    wire(layer, [[150, BUS_Y], [400, BUS_Y]], { from: "j-old", to: "j-hx", arrow: false });
    wire(layer, [[400, 550], [400, BUS_Y]], { from: "in-x", to: "j-hx", arrow: false });
    junction(layer, 400, BUS_Y, "j-hx");
    wire(layer, [[400, BUS_Y], [BOX.x, BUS_Y], [BOX.x, BOX.y + 18]], { from: "j-hx", to: "layer" });
    layerBox(layer, BOX.x, BOX.y, "tanh", "layer");
    wire(layer, [[BOX.x + 30, BOX.y], [SWITCH.x - SWITCH.width / 2, SWITCH.y]], { from: "layer", to: "switch" });

    // The switch: the layer's new value where the unit's module ticks, h_{t-1} where it idles.
    const clock = el("g", { "data-part": "clock" }, svg);
    const left = SWITCH.x - SWITCH.width / 2;
    wire(clock, [[150, BUS_Y], [150, OLD_Y], [left + 20, OLD_Y], [left + 20, SWITCH.y - SWITCH.height / 2]], { from: "j-old", to: "switch" });
    const control = wire(clock, [[this.rowEnd + 8, ROW.y + ROW.height / 2], [left + 80, ROW.y + ROW.height / 2], [left + 80, SWITCH.y - SWITCH.height / 2]], { from: "modules", to: "switch" });
    control.classList.add("control");
    control.dataset.role = "control";
    const box = el("g", { class: "pointwise clock-switch", "data-node": "switch", "data-op": "switch", "data-vector": "h", "data-testid": "op-switch" }, clock);
    el("rect", { x: left, y: SWITCH.y - SWITCH.height / 2, width: SWITCH.width, height: SWITCH.height, rx: 14, class: "switch-box" }, box);
    label(box, SWITCH.x - 40, SWITCH.y + 6, "t mod T_g", { class: "op-text small" });
    wire(clock, [[SWITCH.x + SWITCH.width / 2, SWITCH.y], [H_FORK, SWITCH.y]], { from: "switch", to: "j-h", arrow: false });
    junction(clock, H_FORK, SWITCH.y, "j-h");
    wire(clock, [[H_FORK, SWITCH.y], [H_FORK, BUS_Y], [RIGHT, BUS_Y]], { from: "j-h", to: "out-h" });
    wire(clock, [[H_FORK, SWITCH.y], [H_FORK, 20]], { from: "j-h", to: "out-h_top" });

    terminal(svg, 24, BUS_Y - 10, "h_{t-1}", { node: "in-h_prev", vector: "h_prev" });
    terminal(svg, 1040, BUS_Y - 10, "h_t", { node: "out-h", vector: "h", kind: "output" });
    terminal(svg, H_FORK + 10, 34, "h_t", { node: "out-h_top", vector: "h", kind: "output" });
    terminal(svg, 370, 548, "x_t", { node: "in-x", vector: "x" });
  }

  get rowEnd() {
    return ROW.x + this.periods.length * (ROW.width + ROW.gap) - ROW.gap;
  }

  // One block per module, labelled with its period; idle ones are faded. Arrows from each
  // slower module to each faster one: what the recurrent weights connect.
  drawModules() {
    const group = el("g", { class: "modules", "data-part": "modules", "data-testid": "clock-modules", "data-node": "modules", "data-op": "clock", "data-vector": "active" }, this.svg);
    label(group, ROW.x, ROW.y + ROW.height + 20, t("cw_modules"), { class: "strip-label" });
    const centre = (k) => ROW.x + k * (ROW.width + ROW.gap) + ROW.width / 2;
    this.modules = this.periods.map((period, k) => {
      const block = el("g", { class: "module", "data-period": period, "data-testid": "clock-module", "data-node": `module-${k}`, "data-op": "clock-module" }, group);
      el("rect", { x: centre(k) - ROW.width / 2, y: ROW.y, width: ROW.width, height: ROW.height, rx: 4 }, block);
      label(block, centre(k) - 22, ROW.y + 18, `T_g = ${period}`, { class: "module-text" });
      return block;
    });
    this.periods.forEach((period, slow) => {
      for (let fast = 0; fast < slow; fast++) {
        if (this.periods[fast] === period) continue;  // same speed: within one module's block of weights
        const lift = 12 + 9 * (slow - fast);
        const path = el("path", {
          d: `M${centre(slow) - 6},${ROW.y} C${centre(slow) - 6},${ROW.y - lift} ${centre(fast) + 6},${ROW.y - lift} ${centre(fast) + 6},${ROW.y - 2}`,
          class: "wire module-link", "marker-end": "url(#arrow)", "data-testid": "module-link",
        }, group);
        Object.assign(path.dataset, { slow: String(slow), fast: String(fast) });
      }
    });
  }

  stripLayout() {
    return [
      ["h_prev", 20, 450, { labelAbove: false }], ["x", 410, 505],
      ["h", 960, 450, { labelAbove: false }], ["h_top", 945, 60],
    ];
  }

  // Its equations use T_g, the period of the selected unit's module.
  facts(unit) {
    const size = this.meta.hidden_size / Math.max(this.periods.length, 1);
    return { T: this.periods[Math.floor(unit / size)] };
  }

  derive(record, prev, x) {
    const active = record.active ?? [];
    const size = active.length / Math.max(this.modules.length, 1);
    this.modules.forEach((block, k) => block.classList.toggle("idle", active[k * size] < 0.5));
    this.active = active;
    return { h_prev: prev.h, x: x ?? [], h: record.h, h_top: record.h, active };
  }

  update(record, prev, x, below, units) {
    super.update(record, prev, x, below, units);
    // Units of idle modules keep h_{t-1}: draw them faded.
    for (const name of ["h", "h_top"]) {
      this.strips[name].group.classList.add("clockwork");
      this.strips[name].eachCell((cell, unit) => cell.classList.toggle("idle", this.active[unit] < 0.5));
    }
  }
}
