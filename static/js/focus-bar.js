// Under the diagram: which units its strips show (focus.js: all of them, or 16 around the
// selected unit, labelled first, most active, most changed), and those units named in the
// strips' order, left to right, each a button that selects it; with every unit shown, the
// labelled ones. What makes a strip of 128 or 256 units readable.
import { FOCUSES, FOCUS_SIZE } from "./focus.js";
import { t } from "./i18n/index.js";
import { format } from "./mathml.js";
import { colourFor } from "./palette.js";
import { plainLabel } from "./text.js";
import { unitFeatures, unitName } from "./unit-names.js";

export class FocusBar {
  // element: the bar; getUnits: () => the units the strips show (null: all)
  constructor(element, { trace, store, getUnits }) {
    this.element = element;
    this.trace = trace;
    this.store = store;
    this.getUnits = getUnits;
    this.select = element.querySelector("[data-testid=focus-select]");
    this.caption = element.querySelector("[data-testid=focus-caption]");
    this.list = element.querySelector("[data-testid=focus-units]");
    this.select.addEventListener("change", () => store.set({ focus: this.select.value }));
    this.list.addEventListener("click", (event) => {
      const button = event.target.closest("[data-unit]");
      if (button) trace.selectUnit(Number(button.dataset.unit));
    });
  }

  render() {
    const { meta, layer } = this.trace;
    if (!meta) return;
    const features = unitFeatures(meta, layer);
    this.element.hidden = meta.hidden_size <= FOCUS_SIZE && features.size === 0;  // a few units, none named: nothing to focus
    if (this.element.hidden) return;
    this.options(meta);
    const units = this.getUnits();
    const shown = units ?? [...features.keys()].sort((a, b) => a - b);
    this.caption.textContent = plainLabel(t(units ? "focus_shown" : "focus_named"));
    this.caption.hidden = shown.length === 0;
    const record = this.trace.record(this.trace.t);
    const selected = this.trace.unit;
    const key = JSON.stringify([shown, selected, layer, record ? shown.map((u) => record.h[u]) : null]);
    if (key === this.shownKey) return;
    this.shownKey = key;
    this.list.replaceChildren(...shown.map((unit) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.unit = String(unit);
      button.setAttribute("aria-pressed", String(unit === selected));
      const swatch = document.createElement("span");
      swatch.className = "focus-swatch";
      const h = record?.h[unit];
      if (h !== undefined) {
        swatch.style.background = colourFor("h", h);
        button.title = `h[${unit}] = ${format(h, 4)}`;
      }
      const number = document.createElement("span");
      number.className = "focus-number";
      number.textContent = String(unit);
      button.append(swatch, number);
      const name = unitName(features, unit);
      if (name) {
        const about = document.createElement("span");
        about.className = "focus-name";
        about.textContent = name;
        button.append(about);
      }
      const item = document.createElement("li");
      item.append(button);
      return item;
    }));
    this.list.dataset.units = shown.join(",");
  }

  // The choices, with this model's numbers in them (made again when they change).
  options(meta) {
    const k = Math.min(FOCUS_SIZE, meta.hidden_size);
    const changed = meta.states.includes("c") ? "focus_changed_c" : "focus_changed_h";
    const key = `${meta.hidden_size}/${changed}`;
    if (key !== this.optionsKey) {
      this.optionsKey = key;
      const texts = { all: t("focus_all", { n: meta.hidden_size }), around: t("focus_around", { k }),
        labelled: t("focus_labelled", { k }), active: t("focus_active", { k }), changed: t(changed, { k }) };
      this.select.replaceChildren(...FOCUSES.map((focus) => new Option(plainLabel(texts[focus]), focus)));
    }
    this.select.value = this.store.state.focus;
  }
}
