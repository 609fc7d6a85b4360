// The main figure: the article's diagram of the shown cell and layer (made again only
// when either changes) with the current step on its wires, its numbers as a table, and
// the numbers under the pointer.
import { createDiagram } from "./diagram/index.js";
import { focusUnits } from "./focus.js";
import { t } from "./i18n/index.js";
import { pointwiseText } from "./pointwise.js";
import { plainLabel } from "./text.js";
import { unitFeatures, unitName } from "./unit-names.js";
import { squashedNote, vectorLabel } from "./vectors.js";

export class Figure {
  constructor(container, trace, valuesTable, { held = null, focus = () => "all" } = {}) {
    this.container = container;
    this.trace = trace;
    this.valuesTable = valuesTable;
    this.held = held;  // (vector, t) => the units what-if holds there, or null without what-if
    this.focus = focus;  // () => which units the strips show (focus.js)
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
    const labelled = unitFeatures(meta, layer);
    this.diagram.markLabelled(new Set(labelled.keys()));
    this.units = focusUnits(this.focus(), {
      hidden: meta.hidden_size, selected: trace.unit, labelled: [...labelled.keys()], step: record && this.ranking(record, now),
    });
    if (record) this.diagram.update(record, trace.previous(now), trace.input(now), trace.below(now), this.units);
    else this.diagram.clear();
    this.diagram.selectUnit(trace.unit);
    if (this.held) this.diagram.markHeld((name) => this.held(name, now));
    this.valuesTable.render(this.diagram.values);
    this.container.dataset.t = String(now);
    this.container.dataset.units = this.units ? this.units.join(",") : "";
  }

  // What the focus ranks units by: h_t, and the carried state (C, else h) now and before.
  ranking(record, now) {
    const carried = this.trace.meta.states[0];
    return { h: record.h, carried: record[carried], carriedBefore: this.trace.previous(now)[carried] };
  }
}

// Numbers on hover, or on a tap (a touch screen has no hover: they stay until the next
// tap, or a scroll): a strip's unit, or a pink operation's inputs and output for the
// selected unit; a click on a unit selects it everywhere (on either diagram).
export function showNumbers(container, getDiagram, trace, tooltip) {
  const show = (event) => {
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
    const diagram = getDiagram();  // (the compared model's, on its diagram: its own labels)
    const named = unitName(unitFeatures(diagram.meta, diagram.layer), Number(unit));
    const about = named ? `\n${t("unit_named", { u: unit, feature: named })}` : "";
    tooltip.show(`${label}${squashed ? `\n${squashed}` : ""}\n${plainLabel(t(`role_${vector}`))}${about}`, event.clientX, event.clientY);
  };
  container.addEventListener("pointermove", show);
  container.addEventListener("pointerdown", show);
  container.addEventListener("pointerleave", (event) => event.pointerType !== "touch" && tooltip.hide());
  container.addEventListener("pointercancel", () => tooltip.hide());  // the finger scrolls the page
  // A tap elsewhere (seen first, before a diagram's own pointerdown may show it again).
  document.addEventListener("pointerdown", (event) => container.contains(event.target) || tooltip.hide(), { capture: true });
  container.addEventListener("click", (event) => {
    const cell = event.target.closest("rect.unit");
    if (cell) trace.selectUnit(Number(cell.dataset.unit));
  });
}
