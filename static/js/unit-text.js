// Units over text (Karpathy et al. 2015): the text read so far, each token coloured by
// the selected unit's value of one vector at that step. Click a token to go there.
import { colourFor, inkFor } from "./palette.js";
import { visibleToken } from "./text.js";

export class UnitText {
  constructor(element, vectorSelect, trace) {
    this.element = element;
    this.vectorSelect = vectorSelect;
    this.trace = trace;
    this.spans = [];
    vectorSelect.addEventListener("change", () => this.render("vector"));
    element.addEventListener("click", (event) => {
      const span = event.target.closest("[data-t]");
      if (span) trace.seek(Number(span.dataset.t));
    });
  }

  options(meta) {
    const names = [...meta.states, ...meta.gates];
    this.vectorSelect.replaceChildren(...names.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = name;
      return option;
    }));
    this.vectorSelect.value = names.includes("c") ? "c" : "h";
  }

  render(change) {
    const { steps, meta, unit } = this.trace;
    if (!meta) return;
    if (change === "reset" || change === "layer") {
      if (change === "reset") this.options(meta);
      this.element.replaceChildren();
      this.spans = [];
    }
    for (let t = this.spans.length; t < steps.length; t++) {
      const span = document.createElement("span");
      span.dataset.t = t;
      span.className = "unit-token";
      const token = steps[t].token;
      span.textContent = token === "\n" ? "↵\n" : meta.tokenizer === "word" ? `${token} ` : token;
      this.element.appendChild(span);
      this.spans.push(span);
    }
    const name = this.vectorSelect.value;
    const values = this.trace.series(name, unit);
    this.spans.forEach((span, t) => {
      const value = values[t];
      span.style.backgroundColor = value === null ? "" : colourFor(name, value);
      span.style.color = value === null ? "" : inkFor(name, value);
      span.title = `t = ${t}: ${name}[${unit}] = ${value === null ? "–" : value.toFixed(4)}`;
      span.classList.toggle("current", t === this.trace.t);
    });
    this.element.dataset.vector = name;
    this.element.dataset.unit = String(unit);
  }
}
