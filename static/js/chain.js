// The unrolled chain, as in the article's "unrolled RNN" figure: the repeating module
// drawn once per token, with the belt running through. The belt and each module's output
// are coloured by the selected unit's C_t and h_t (h_t alone for cells without a belt),
// so what a unit carries along the chain can be followed. Click a module to go there.
import { colourFor } from "./palette.js";
import { el } from "./diagram/svg.js";
import { t as tr } from "./i18n/index.js";
import { visibleToken } from "./text.js";

const W = 46;       // one module's width, gaps included
const H = 92;

export class Chain {
  constructor(element, trace) {
    this.element = element;
    this.trace = trace;
    this.svg = el("svg", { class: "chain", height: H, "data-testid": "chain-svg", role: "list" }, element);
    this.modules = [];
    this.svg.addEventListener("click", (event) => {
      const module = event.target.closest("[data-t]");
      if (module) trace.seek(Number(module.dataset.t));
    });
  }

  render(change) {
    const { steps, meta, unit } = this.trace;
    if (!meta) return;
    if (change === "reset" || change === "layer") {
      for (const module of this.modules) module.group.remove();
      this.modules = [];
      this.current = null;
    }
    for (let t = this.modules.length; t < steps.length; t++) this.modules.push(this.module(t));
    const width = Math.max(steps.length * W + 8, 10);
    if (width !== this.width) this.svg.setAttribute("width", (this.width = width));  // (a write lays the whole chain out again)
    // Colour only what changed: every module when the unit or layer did, else the new ones.
    const belt = meta.states.includes("c") ? "c" : "h";
    const key = `${unit}/${this.trace.layer}`;
    if (key !== this.key || change === "reset" || change === "layer") this.coloured = 0;
    this.key = key;
    for (let t = this.coloured; t < this.modules.length; t++) {
      const record = this.trace.record(t);
      this.modules[t].belt.setAttribute("stroke", colourFor(belt, record[belt][unit]));
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

  // Bring the current module into view when it changed; it reads layout, so the page
  // calls it after all its writes of a frame.
  scrollToCurrent() {
    if (!this.scrollWanted) return;
    this.scrollWanted = false;
    this.current?.group.scrollIntoView?.({ block: "nearest", inline: "nearest" });
  }

  module(t) {
    const x = 4 + t * W;
    const group = el("g", { "data-t": t, class: "chain-module", role: "listitem", "data-testid": "chain-module" }, this.svg);
    const step = this.trace.steps[t];
    el("title", {}, group).textContent = tr("chain_module", { t, token: step.token })
      + (step.trained_guess === false ? ` · ${tr("untrained_guess")}` : "");
    if (step.trained_guess === false) group.classList.add("untrained-guess");  // its output's guess was never trained
    el("rect", { x, y: 14, width: W - 8, height: 46, rx: 8, class: "chain-box" }, group);
    const belt = el("line", { x1: x - 4, y1: 22, x2: x + W - 4, y2: 22, "stroke-width": 7, class: "chain-belt" }, group);
    const out = el("circle", { cx: x + (W - 8) / 2, cy: 44, r: 8, class: "chain-out" }, group);
    el("text", { x: x + (W - 8) / 2, y: 80, "text-anchor": "middle", class: "chain-token" }, group)
      .textContent = visibleToken(this.trace.steps[t].token).slice(0, 5);
    return { group, belt, out };
  }
}
