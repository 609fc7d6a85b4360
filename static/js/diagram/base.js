// What every cell's diagram shares: an SVG in the article's notation, strips of live
// values placed on its wires, and an update from one step's record.
import { vectorName } from "../vectors.js";
import { Strip, arrowMarker, el } from "./svg.js";

export class Diagram {
  // meta: the stream's meta frame (cell, hidden_size, cell_options, ...); layer: which layer
  // is shown; figure: the cell's figure for that layer (its family, the parts it has).
  constructor(container, meta, layer, figure, { viewBox = "0 0 1120 560", ariaLabel }) {
    this.meta = meta;
    this.layer = layer;
    this.figure = figure;
    this.parts = new Set(figure.parts);
    this.svg = el("svg", {
      viewBox, class: "diagram", role: "img", "aria-label": ariaLabel,
      "data-testid": "diagram", "data-cell": meta.cell, "data-family": figure.family,
    }, container);
    arrowMarker(this.svg);
    this.draw();
    this.strips = Object.fromEntries(this.stripLayout().map(([name, x, y, options = {}]) =>
      [name, new Strip(this.svg, name, x, y, options.label ?? vectorName(name), options)]));
    this.values = null;
  }

  draw() {}          // the module's boxes, circles and wires
  stripLayout() {}   // [[vector name, x, y, {labelAbove, label}], ...]
  derive() {}        // (record, prev, x, below) -> {vector name: values}
  facts() { return {}; }  // (unit) -> other numbers its equations use: T, a clockwork module's period

  has(part) {
    return this.parts.has(part);
  }

  // record: this layer's step record; prev: the state it started from ({c, h} or {h});
  // x: its input vector; below: the record of the layer below at the same step, if any.
  // units: the units the strips show, in order (focus.js); null: every unit. Only vectors of
  // one value per unit are focused (x_t may be an embedding of another size).
  update(record, prev, x, below, units = null) {
    this.values = this.derive(record, prev, x, below);
    const hidden = this.meta.hidden_size;
    for (const [name, strip] of Object.entries(this.strips)) {
      const values = this.values[name];
      strip.update(values, values?.length === hidden ? units : null);
    }
  }

  // Mark the cells of the units the model's labels name (a Set), on every strip of units.
  markLabelled(units) {
    for (const strip of Object.values(this.strips)) strip.markLabelled(units);
  }

  // The walk-through: light the parts and strips of one stage, dim the rest (null: all lit).
  highlight(stage) {
    this.svg.classList.toggle("staged", Boolean(stage));
    for (const node of this.svg.querySelectorAll("[data-part]")) {
      node.classList.toggle("lit", Boolean(stage) && node.dataset.part.split(" ").some((part) => stage.parts.includes(part)));
    }
    for (const [name, strip] of Object.entries(this.strips)) {
      strip.group.classList.toggle("lit", Boolean(stage) && stage.vectors.includes(name));
    }
  }

  // What-if: outline the units whose value is held; held(vector) is a Set of units or "all".
  markHeld(held) {
    for (const [name, strip] of Object.entries(this.strips)) {
      const units = held(name);
      const any = units === "all" || units.size > 0;
      if (!any && !strip.anyHeld) continue;  // nothing held, nothing marked: no need to visit every cell
      strip.anyHeld = any;
      strip.eachCell((cell, unit) => cell.classList.toggle("held", units === "all" || units.has(unit)));
    }
  }

  // The selected unit, outlined on every strip.
  selectUnit(unit) {
    for (const strip of Object.values(this.strips)) strip.select(unit);
  }

  clear() {
    for (const strip of Object.values(this.strips)) strip.update([]);
    this.values = null;
  }

  remove() {
    this.svg.remove();
  }
}

export const times = (a, b) => a.map((v, k) => v * b[k]);
export const oneMinus = (a) => a.map((v) => 1 - v);
