// Units over text (Karpathy et al. 2015): the text read so far, each token coloured by
// the selected unit's value of one vector at that step (a gate, a state, or tanh(C) —
// what a unit's C means to its output, when C runs far past ±1). Click a token to go there.
import { colourFor, inkFor } from "./palette.js";
import { colourableStates, squashedNote, unitValue, vectorLabel } from "./vectors.js";

export class UnitText {
  constructor(element, vectorSelect, trace, wanted = () => null) {
    this.wanted = wanted;  // () => the vector a link or a lesson asks for, when the cell has it
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
    const names = [...colourableStates(meta), ...meta.gates];
    this.vectorSelect.replaceChildren(...names.map((name) => new Option(vectorLabel(name), name)));
    this.defaultVector = names.includes("c") ? "c" : "h";
    this.vectorSelect.value = names.includes(this.wanted()) ? this.wanted() : this.defaultVector;
  }

  // The vector coloured by (the one asked for, until the panel has drawn a trace) ...
  get shownVector() {
    return this.vectorSelect.value || this.wanted();
  }

  // ... or null while it is the cell's default.
  get chosenVector() {
    const { value } = this.vectorSelect;
    return value && value !== this.defaultVector ? value : null;
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
      span.textContent = token === "\n" ? "↵\n" : meta.tokenizer === "char" ? token : `${token} `;
      this.element.appendChild(span);
      this.spans.push(span);
    }
    // Colour only what changed: every token when the unit, vector or layer did, else the new ones.
    const name = this.vectorSelect.value;
    const key = `${name}/${unit}/${this.trace.layer}`;
    if (key !== this.key || change === "reset" || change === "layer") this.coloured = 0;
    this.key = key;
    for (let t = this.coloured; t < this.spans.length; t++) {
      const record = this.trace.record(t);
      const value = unitValue(record, name, unit);
      const span = this.spans[t];
      span.style.backgroundColor = value === null ? "" : colourFor(name, value);
      span.style.color = value === null ? "" : inkFor(name, value);
      span.dataset.value = value === null ? "" : String(value);
      const squashed = value === null ? "" : squashedNote(name, value);
      span.title = `t = ${t}: ${vectorLabel(name)}[${unit}] = ${value === null ? "–" : value.toFixed(4)}${squashed ? `, ${squashed}` : ""}`;
    }
    this.coloured = this.spans.length;
    this.current?.classList.remove("current");
    this.current = this.spans[this.trace.t] ?? null;
    this.current?.classList.add("current");
    this.element.dataset.vector = name;
    this.element.dataset.unit = String(unit);
  }
}
