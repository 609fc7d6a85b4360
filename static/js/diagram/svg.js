// Small helpers to build the article's notation in SVG.
//
// A diagram is also a graph that can be read back (and is, by the tests, against the
// cell's equations): every operation drawn is a node (data-node: its id, data-op: σ, tanh,
// ×, +, 1−, …, data-vector: the vector its output carries), every wire says which node
// feeds which (data-from, data-to). A junction passes what one wire brings on to several
// (a fork) and joins what several bring into one line (a concatenation, in the article's
// notation).
import { PALETTE, STRIP } from "../config.js";
import { colourFor, rgbFor } from "../palette.js";

const NS = "http://www.w3.org/2000/svg";
const WIDE_STRIP = 64;  // units beyond which a strip is painted as one image

export function el(name, attributes = {}, parent = null) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
  if (parent) parent.appendChild(node);
  return node;
}

// Text with subscripts and superscripts in the article's style: "f_t * C_{t-1}" -> f with
// subscript t, then " * C" with subscript t-1; "C_t^{L-1}" adds a superscript. A script is
// "_x" or "^x" (one character) or "_{...}", "^{...}"; "-" is written as a minus sign.
export function label(parent, x, y, text, attributes = {}) {
  const node = el("text", { x, y, class: "label", ...attributes }, parent);
  const pattern = /([_^])\{([^}]*)\}|([_^])(\S)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) el("tspan", {}, node).textContent = text.slice(last, match.index);
    const shift = (match[1] ?? match[3]) === "_" ? 4 : -7;
    el("tspan", { class: shift > 0 ? "sub" : "sup", dy: shift, "font-size": "75%" }, node).textContent =
      (match[2] ?? match[4]).replace(/-/g, "\u2212");
    el("tspan", { dy: -shift }, node).textContent = "\u200b";  // back to the baseline
    last = match.index + match[0].length;
  }
  if (last < text.length) el("tspan", {}, node).textContent = text.slice(last);
  return node;
}

// Name a drawn element as a node of the diagram's graph.
function mark(element, { node, op, vector }) {
  if (node) element.dataset.node = node;
  if (op) element.dataset.op = op;
  if (vector) element.dataset.vector = vector;
  return element;
}

// A wire through points [[x, y], ...] from node `from` to node `to`; arrow: end with an arrowhead.
export function wire(parent, points, { from, to, arrow = true, className = "wire" } = {}) {
  const d = points.map(([x, y], k) => `${k ? "L" : "M"}${x},${y}`).join(" ");
  const path = el("path", { d, class: className, "marker-end": arrow ? "url(#arrow)" : "" }, parent);
  if (from) path.dataset.from = from;
  if (to) path.dataset.to = to;
  return path;
}

// Where a vector enters or leaves the module: its name, written as the article writes it.
export function terminal(parent, x, y, text, { node, vector, kind = "input", ...attributes }) {
  return mark(label(parent, x, y, text, { class: "io-label", ...attributes }), { node, op: kind, vector });
}

// The grey rounded box around one repeating module.
export function moduleBox(parent, x, y, width, height) {
  return el("rect", { x, y, width, height, rx: 26, fill: PALETTE.module, stroke: PALETTE.moduleStroke, class: "module-box" }, parent);
}

// A dot where wires fork (the content copied to several places) or join (concatenated).
export function junction(parent, cx, cy, node) {
  return mark(el("circle", { cx, cy, r: 3.5, fill: PALETTE.wire, class: "junction" }, parent), { node, op: "junction" });
}

// A yellow box: a learned layer (σ or tanh of W·[…] + b; "W_h" for a linear one).
export function layerBox(parent, cx, cy, text, part, { node = part, vector, op = text, width = 60 } = {}) {
  const group = el("g", { class: "layer-box", "data-testid": `box-${part}`, "data-label": text }, parent);
  el("rect", { x: cx - width / 2, y: cy - 17, width, height: 34, rx: 4, fill: PALETTE.layerBox, stroke: PALETTE.layerStroke }, group);
  if (op === "linear") label(group, cx - 12, cy + 6, text, { class: "op-text" });
  else el("text", { x: cx, y: cy + 6, class: "op-text", "text-anchor": "middle" }, group).textContent = text;
  return mark(group, { node, op: op === "linear" ? "linear" : `layer-${op}`, vector });
}

// A pink circle: a pointwise operation (×, +, 1−) or the pointwise tanh.
export function pointwise(parent, cx, cy, text, part, { node = part, vector, op = text } = {}) {
  const group = mark(el("g", { class: "pointwise", "data-testid": `op-${part}` }, parent), { node, op, vector });
  if (text === "tanh") el("ellipse", { cx, cy, rx: 26, ry: 15, fill: PALETTE.pointwise, stroke: PALETTE.pointwiseStroke }, group);
  else el("circle", { cx, cy, r: 14, fill: PALETTE.pointwise, stroke: PALETTE.pointwiseStroke }, group);
  el("text", { x: cx, y: cy + 5, class: "op-text", "text-anchor": "middle" }, group).textContent = text;
  return group;
}

export function arrowMarker(svg, id = "arrow") {
  const defs = el("defs", {}, svg);
  const marker = el("marker", {
    id, viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: "auto-start-reverse",
  }, defs);
  el("path", { d: "M0,0 L10,5 L0,10 z", fill: PALETTE.wire }, marker);
}

// A vector drawn as a strip of coloured cells, one per unit, labelled with its name.
export class Strip {
  constructor(parent, name, x, y, text, { labelAbove = true, width = STRIP.width } = {}) {
    this.name = name;
    this.width = width;  // narrower where wires leave less room
    this.group = el("g", { class: "strip", "data-vector": name, "data-testid": `strip-${name}` }, parent);
    this.x = x;
    this.y = y;
    this.cells = [];
    this.colours = [];  // the fill each cell was given last
    this.values = [];
    this.units = null;  // the units its cells show, in order (focus.js); null: every unit, in order
    this.labelled = new Set();  // units the model's labels name: their cells are marked
    label(this.group, x, labelAbove ? y - 4 : y + STRIP.height + 13, text, { class: "strip-label" });
  }

  resize(count, units) {
    for (const cell of this.cells) cell.remove();
    this.canvas?.parentNode.remove();
    this.canvas = null;
    this.colours = [];
    this.selected = null;
    const width = this.width / count;
    if (count > WIDE_STRIP) {
      // A wide strip is painted as one image, one pixel per unit, stretched to the strip:
      // a new colour in each of hundreds of SVG cells made the browser restyle and repaint
      // every one of them, each step. The cells stay, transparent, for hover and click.
      const frame = el("foreignObject", { x: this.x, y: this.y, width: this.width, height: STRIP.height }, this.group);
      this.canvas = document.createElementNS("http://www.w3.org/1999/xhtml", "canvas");
      Object.assign(this.canvas, { width: count, height: 1, className: "strip-image" });
      frame.appendChild(this.canvas);
      this.pixels = this.canvas.getContext("2d").createImageData(count, 1);
    }
    this.cells = Array.from({ length: count }, (_, k) => el("rect", {
      x: this.x + k * width, y: this.y, width, height: STRIP.height,
      class: this.canvas ? "unit over-image" : "unit", "data-unit": units ? units[k] : k, "data-vector": this.name,
    }, this.group));
    this.shownUnits = units;
    this.markLabelled();
  }

  // The unit cell k shows.
  unitAt(k) {
    return this.shownUnits ? this.shownUnits[k] : k;
  }

  // Each cell with the unit it shows.
  eachCell(visit) {
    this.cells.forEach((cell, k) => visit(cell, this.unitAt(k)));
  }

  markLabelled(labelled = this.labelled) {
    this.labelled = labelled;
    this.eachCell((cell, unit) => cell.classList.toggle("labelled", labelled.has(unit)));
  }

  select(unit) {
    const k = this.shownUnits ? this.shownUnits.indexOf(unit) : unit;
    if (this.cells[k] === this.selected) return;  // (moving it again would make the browser restyle it)
    this.selected?.classList.remove("selected");
    this.selected = this.cells[k] ?? null;
    this.selected?.classList.add("selected");
    this.selected?.parentNode.appendChild(this.selected);  // on top, so its outline shows whole
  }

  // values: the vector, one per unit; units: the units to show, in order (null: all)
  update(values, units = null) {
    const all = values ?? [];
    this.values = units ? units.map((unit) => all[unit]) : all;
    if (this.cells.length !== this.values.length || String(units) !== String(this.shownUnits ?? null)) {
      this.resize(this.values.length, units);
    }
    if (this.canvas) this.paint();
    else {
      // Only the cells whose colour changed are touched: each write makes the browser
      // restyle and repaint that cell.
      this.values.forEach((v, unit) => {
        const colour = colourFor(this.name, v);
        if (colour !== this.colours[unit]) this.cells[unit].setAttribute("fill", (this.colours[unit] = colour));
      });
    }
    this.group.classList.toggle("empty", this.values.length === 0);
  }

  // A wide strip's colours, written into its one-row image.
  paint() {
    const data = this.pixels.data;
    this.values.forEach((v, unit) => {
      const [r, g, b] = rgbFor(this.name, v);
      data[4 * unit] = r;
      data[4 * unit + 1] = g;
      data[4 * unit + 2] = b;
      data[4 * unit + 3] = 255;
    });
    this.canvas.getContext("2d").putImageData(this.pixels, 0, 0);
  }
}
