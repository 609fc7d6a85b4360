// What-if: clamp a gate or state (one unit or all), knock a unit out, or edit one
// weight, from the current step on; the trace is read again with the interventions and
// the diagram marks what is held. One click undoes them all. The interventions are the
// store's `whatif`; the page reads the text again whenever they change.
import { t } from "./i18n/index.js";
import { NO_INTERVENTIONS } from "./state.js";
import { vectorLabel } from "./vectors.js";

export class WhatIf {
  constructor(section, trace, store) {
    this.section = section;
    this.trace = trace;
    this.store = store;
    store.subscribe((changed) => changed.has("whatif") && this.renderList());
    const $ = (id) => section.querySelector(`[data-testid="${id}"]`);
    this.vector = $("whatif-vector");
    this.scope = $("whatif-scope");
    this.value = $("whatif-value");
    this.list = $("whatif-list");
    this.matrix = $("whatif-matrix");
    this.row = $("whatif-row");
    this.column = $("whatif-column");
    this.weightValue = $("whatif-weight-value");
    $("whatif-add").addEventListener("click", () => this.addClamp());
    $("whatif-knockout").addEventListener("click", () => this.knockOut());
    $("whatif-set-weight").addEventListener("click", () => this.addWeight());
    $("whatif-undo").addEventListener("click", () => this.set(NO_INTERVENTIONS));
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("button[data-kind]");
      if (!button) return;
      const next = structuredClone(this.interventions);
      next[button.dataset.kind].splice(Number(button.dataset.index), 1);
      this.set(next);
    });
    this.renderList();  // a link's (or a recording's) interventions, listed from the start
  }

  get interventions() {
    return this.store.state.whatif;
  }

  get start() {
    return Math.max(this.trace.t, 0);
  }

  set(interventions) {
    this.store.set({ whatif: interventions });
  }

  addClamp() {
    const value = Number(this.value.value);
    if (!Number.isFinite(value)) return;
    const unit = this.scope.value === "all" ? null : this.trace.unit;
    this.set({ ...this.interventions, clamps: [...this.interventions.clamps,
      { vector: this.vector.value, value, unit, start: this.start, layer: this.trace.layer }] });
  }

  knockOut() {
    const unit = this.trace.unit;
    const states = this.trace.meta.states;  // h, and C where the cell has a belt
    const added = states.map((vector) => ({ vector, value: 0, unit, start: this.start, layer: this.trace.layer }));
    this.set({ ...this.interventions, clamps: [...this.interventions.clamps, ...added] });
  }

  addWeight() {
    const edit = {
      layer: this.trace.layer, matrix: this.matrix.value, row: Number(this.row.value),
      column: Number(this.column.value), value: Number(this.weightValue.value), start: this.start,
    };
    if (![edit.row, edit.column, edit.value].every(Number.isFinite)) return;
    this.set({ ...this.interventions, weights: [...this.interventions.weights, edit] });
  }

  // The units of `vector` held at step t on the shown layer (for the diagram's marks).
  heldUnits(vector, t) {
    const held = new Set();
    for (const clamp of this.interventions.clamps) {
      if (clamp.vector !== vector || clamp.start > t || (clamp.layer ?? this.trace.layer) !== this.trace.layer) continue;
      if (clamp.unit === null) return "all";
      held.add(clamp.unit);
    }
    return held;
  }

  // Fill the vector choices from the model (its gates and states).
  offer(meta) {
    const names = [...meta.gates, ...meta.states];
    const kept = this.vector.value;
    this.vector.replaceChildren(...names.map((name) => {
      const option = document.createElement("option");
      option.value = name;
      option.textContent = vectorLabel(name);
      return option;
    }));
    if (names.includes(kept)) this.vector.value = kept;
  }

  matrixLabel(matrix) {
    return [...this.matrix.options].find((option) => option.value === matrix)?.textContent ?? matrix;
  }

  renderList() {
    const { clamps, weights } = this.interventions;
    const items = [
      ...clamps.map((c, index) => [t("whatif_clamp_item", {
        vector: vectorLabel(c.vector), unit: c.unit ?? t("whatif_all_units"), value: c.value, start: c.start,
      }), "clamps", index]),
      // the matrix as its menu writes it (W_hh, W_ih, b), not its key in the model file
      ...weights.map((w, index) => [t("whatif_weight_item", { ...w, matrix: this.matrixLabel(w.matrix) }), "weights", index]),
    ];
    this.list.replaceChildren(...items.map(([text, kind, index]) => {
      const item = document.createElement("li");
      item.dataset.testid = "whatif-item";
      item.append(text, " ");
      const remove = document.createElement("button");
      remove.type = "button";
      remove.dataset.kind = kind;
      remove.dataset.index = index;
      remove.textContent = "×";
      remove.setAttribute("aria-label", t("whatif_remove"));
      item.append(remove);
      return item;
    }));
    this.section.dataset.count = String(items.length);
  }
}
