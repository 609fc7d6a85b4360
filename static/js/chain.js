// The unrolled chain, as the article's "unrolled RNN" figure draws it: the repeating module
// once per token, x_t coming in below each one, h_t leaving above, and an arrow from each
// module to the next (what the loop passes on). A cell with a cell state has its belt run
// through the modules; a plain RNN or a GRU has none. The belt and each h_t are coloured by
// the selected unit's C_t and h_t, so what a unit carries along the chain can be followed.
// Click a module to go there.
import { colourFor } from "./palette.js";
import { arrowMarker, el } from "./diagram/svg.js";
import { t as tr } from "./i18n/index.js";
import { revealInside } from "./scroll.js";
import { visibleToken } from "./text.js";

const W = 64;  // one module's width, the gap to the next included
const BOX = { y: 44, width: 44, height: 44 };
const OUT_Y = 16;  // h_t's circle, above the module
const TOKEN_Y = 132;  // x_t's token, below
const HEIGHT = 142;

export class Chain {
  constructor(element, trace) {
    this.element = element;
    this.trace = trace;
    this.svg = el("svg", { class: "chain", height: HEIGHT, "data-testid": "chain-svg", role: "list" }, element);
    arrowMarker(this.svg, "chain-arrow");
    this.modules = [];
    this.svg.addEventListener("click", (event) => {
      const module = event.target.closest("[data-t]");
      if (module) trace.seek(Number(module.dataset.t));
    });
  }

  render(change) {
    const { steps, meta, unit } = this.trace;
    if (!meta) return;
    const belted = meta.states.includes("c");
    if (change === "reset" || change === "layer" || belted !== this.belted) {
      for (const module of this.modules) module.group.remove();
      this.modules = [];
      this.current = null;
      this.belted = belted;
      this.svg.dataset.belt = String(belted);
    }
    for (let t = this.modules.length; t < steps.length; t++) this.modules.push(this.module(t));
    const width = Math.max(steps.length * W + 8, 10);
    if (width !== this.width) this.svg.setAttribute("width", (this.width = width));  // (a write lays the whole chain out again)
    // Colour only what changed: every module when the unit or layer did, else the new ones.
    const key = `${unit}/${this.trace.layer}`;
    if (key !== this.key || change === "reset" || change === "layer") this.coloured = 0;
    this.key = key;
    for (let t = this.coloured; t < this.modules.length; t++) {
      const record = this.trace.record(t);
      this.modules[t].belt?.setAttribute("stroke", colourFor("c", record.c[unit]));
      this.modules[t].out.setAttribute("fill", colourFor("h", record.h[unit]));
    }
    this.coloured = this.modules.length;
    const current = this.modules[this.trace.t] ?? null;
    if (current === this.current) return;
    this.current?.group.classList.remove("current");
    this.current = current;
    this.current?.group.classList.add("current");
    this.scrollWanted = true;
  }

  // Bring the current module into view, inside the panel, when it changed; it reads
  // layout, so the page calls it after all its writes of a frame.
  scrollToCurrent() {
    if (!this.scrollWanted) return;
    this.scrollWanted = false;
    revealInside(this.element, this.current?.box);  // (the group reaches back to the belt before it)
  }

  module(t) {
    const x = 8 + t * W;
    const mid = x + BOX.width / 2;
    const token = this.trace.steps[t].token;
    const group = el("g", { "data-t": t, class: "chain-module", role: "listitem", "data-testid": "chain-module" }, this.svg);
    const untrained = this.trace.steps[t].trained_guess === false;  // its output's guess was never trained
    el("title", {}, group).textContent = tr("chain_module", { t, token }) + (untrained ? ` · ${tr("untrained_guess")}` : "");
    if (untrained) group.classList.add("untrained-guess");
    const box = el("rect", { x, y: BOX.y, width: BOX.width, height: BOX.height, rx: 8, class: "chain-box" }, group);
    // x_t in from below, h_t out above
    el("path", { d: `M${mid},${TOKEN_Y - 16} L${mid},${BOX.y + BOX.height + 2}`, class: "chain-wire", "marker-end": "url(#chain-arrow)", "data-testid": "chain-x" }, group);
    el("path", { d: `M${mid},${BOX.y} L${mid},${OUT_Y + 10}`, class: "chain-wire", "marker-end": "url(#chain-arrow)", "data-testid": "chain-h" }, group);
    const out = el("circle", { cx: mid, cy: OUT_Y, r: 8, class: "chain-out" }, group);
    el("text", { x: mid, y: TOKEN_Y, "text-anchor": "middle", class: "chain-token" }, group).textContent = visibleToken(token).slice(0, 5);
    // what the loop carries on to the next module: h_t, and the belt C_t where there is one
    const belt = this.belted
      ? el("line", { x1: x - (W - BOX.width), y1: BOX.y + 10, x2: x + BOX.width, y2: BOX.y + 10, "stroke-width": 6, class: "chain-belt", "data-testid": "chain-belt" }, group)
      : null;
    if (t > 0) el("path", { d: `M${x - (W - BOX.width) + 1},${BOX.y + 30} L${x - 1},${BOX.y + 30}`, class: "chain-wire", "marker-end": "url(#chain-arrow)", "data-testid": "chain-link" }, group);
    return { group, box, belt, out };
  }
}
