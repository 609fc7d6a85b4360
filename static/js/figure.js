// The main figure: the article's diagram of the shown cell and layer (made again only
// when either changes) with the current step on its wires, its numbers as a table, and
// the numbers under the pointer.
import { createDiagram } from "./diagram/index.js";
import { t } from "./i18n/index.js";
import { pointwiseText } from "./pointwise.js";
import { plainLabel } from "./text.js";
import { squashedNote, vectorLabel } from "./vectors.js";

export class Figure {
  constructor(container, trace, valuesTable, { held = null } = {}) {
    this.container = container;
    this.trace = trace;
    this.valuesTable = valuesTable;
    this.held = held;  // (vector, t) => the units what-if holds there, or null without what-if
    this.diagram = null;
    this.key = "";
  }

  render() {
    const { trace } = this;
    const { meta, layer, t: now } = trace;
    const key = JSON.stringify([meta.cell, layer, meta.cell_options ?? {}, meta.hidden_size]);
    if (key !== this.key) {
      this.diagram?.remove();
      this.diagram = createDiagram(this.container, meta, layer);
      this.key = key;
    }
    const record = trace.record(now);
    if (record) this.diagram.update(record, trace.previous(now), trace.input(now), trace.below(now));
    else this.diagram.clear();
    this.diagram.selectUnit(trace.unit);
    if (this.held) this.diagram.markHeld((name) => this.held(name, now));
    this.valuesTable.render(this.diagram.values);
    this.container.dataset.t = String(now);
  }
}

// Numbers on hover (a strip's unit, or a pink operation's inputs and output for the
// selected unit); a click on a unit selects it everywhere (on either diagram).
export function showNumbers(container, getDiagram, trace, tooltip) {
  container.addEventListener("pointermove", (event) => {
    const op = event.target.closest(".pointwise");
    const text = op && pointwiseText(getDiagram(), op, trace.unit);
    if (text) return tooltip.show(text, event.clientX, event.clientY);
    const cell = event.target.closest("rect.unit");
    const values = getDiagram()?.values;
    if (!cell || !values) return tooltip.hide();
    const { vector, unit } = cell.dataset;
    const value = values[vector][unit];
    const label = `${vectorLabel(vector)}[${unit}] = ${value.toFixed(4)}`;
    const squashed = squashedNote(vector, value);
    tooltip.show(`${label}${squashed ? `\n${squashed}` : ""}\n${plainLabel(t(`role_${vector}`))}`, event.clientX, event.clientY);
  });
  container.addEventListener("pointerleave", () => tooltip.hide());
  container.addEventListener("click", (event) => {
    const cell = event.target.closest("rect.unit");
    if (cell) trace.selectUnit(Number(cell.dataset.unit));
  });
}
