// Side by side: the same text read by a second model (a plain RNN beside the LSTM, one
// variant beside another trained alike), over its own stream, shown at the same time
// step with its own diagram and next-token guesses. The partner follows the main model
// (partner.js) until the student picks one; models trained alike show their held-out
// loss curves below (loss-curves.js).
import { createDiagram } from "./diagram/index.js";
import { errorText } from "./errors.js";
import { t } from "./i18n/index.js";
import { TextFeed } from "./input.js";
import { LossCurves } from "./loss-curves.js";
import { pairTitle, partnerFor } from "./partner.js";
import { cellTitle } from "./models.js";
import { Predictions } from "./predictions.js";
import { TraceStream } from "./stream.js";
import { Trace } from "./trace.js";

export class Comparison {
  constructor(section, { textBox, mainTrace, wsUrl, modelSelect, onChange }) {
    this.section = section;
    this.textBox = textBox;
    this.main = mainTrace;
    this.wsUrl = wsUrl;
    this.modelSelect = modelSelect;
    this.models = [];
    this.picked = false;  // the student chose the partner: it stays when the main model changes
    this.select = section.querySelector('[data-testid="compare-select"]');
    this.title = section.querySelector('[data-testid="compare-title"]');
    this.badge = section.querySelector('[data-testid="compare-untrained-badge"]');
    this.curves = new LossCurves(section.querySelector('[data-testid="loss-curves"]'),
      section.querySelector('[data-testid="loss-table"]'), (name) => this.openModel(name));
    this.container = section.querySelector('[data-testid="compare-diagram-container"]');
    this.trace = new Trace();
    this.predictions = new Predictions(section.querySelector('[data-testid="compare-predictions"]'), this.trace);
    this.status = section.querySelector('[data-testid="compare-status"]');
    this.diagram = null;
    this.diagramKey = "";
    this.feed = null;
    this.trace.subscribe(() => onChange());
    this.select.addEventListener("change", () => {
      this.picked = Boolean(this.model);
      this.start();
      onChange("compare");
    });
    modelSelect?.addEventListener("change", () => {
      if (this.picked && this.model !== modelSelect.value) return;
      this.choose(null);
      if (this.feed) this.start();
      onChange("compare");
    });
  }

  get model() {
    return this.select.value || null;
  }

  // The models to choose from; `wanted` (from the link or lesson) or else main's partner.
  offer(models, wanted, main) {
    this.models = models.filter((m) => !m.error);
    const none = new Option(t("compare_pick"), "");
    this.select.replaceChildren(none, ...this.models.map((m) => {
      const option = document.createElement("option");
      option.value = m.name;
      option.textContent = `${m.name} — ${cellTitle(m)}${m.trained ? "" : `, ${t("untrained")}`}`;
      option.dataset.tokenizer = m.tokenizer;
      return option;
    }));
    this.choose(this.models.some((m) => m.name === wanted && m.name !== main?.name) ? wanted : null);
  }

  summary(name) {
    return this.models.find((m) => m.name === name) ?? null;
  }

  // `name`, or else the partner of the model now shown (none: the empty choice).
  choose(name) {
    const main = this.summary(this.modelSelect?.value);
    this.select.value = name ?? partnerFor(main, this.models)?.name ?? "";
  }

  // A model picked from the loss curves' table becomes the main model (its diagram above).
  openModel(name) {
    if (!this.modelSelect || !this.summary(name)) return;
    this.modelSelect.value = name;
    this.modelSelect.dispatchEvent(new Event("change"));
  }

  // Compare with `name` (a link's or a beat's choice), if it is offered.
  pick(name) {
    if (name === this.model || ![...this.select.options].some((o) => o.value === name)) return;
    this.select.value = name;
    if (this.feed) this.start();
  }

  // Open the second stream the first time the panel is shown, or restart it on a new model.
  start() {
    if (!this.model) {
      if (this.feed) this.feed.model = null;  // no partner: nothing more to read
      return;
    }
    if (!this.feed) {
      const stream = new TraceStream(this.wsUrl, {
        meta: (meta) => this.trace.reset(meta),
        step: (step) => this.trace.add(step),
        done: (done) => { this.status.textContent = t("steps_traced", { n: done.total }); },
        error: (error) => { this.status.textContent = errorText(error); },
      });
      this.feed = new TextFeed(this.textBox, stream);
    }
    this.feed.restart(this.model, this.select.selectedOptions[0]?.dataset.tokenizer ?? "char");
  }

  render(visible) {
    if (!visible) return;
    if (!this.feed) this.start();
    const main = this.summary(this.modelSelect?.value);
    const other = this.summary(this.model);
    this.title.textContent = pairTitle(main, other);
    this.badge.hidden = !other || other.trained;
    this.curves.render(main, this.models);
    const { meta, steps } = this.trace;
    if (!other) {
      this.diagram?.remove();
      this.diagram = null;
      this.diagramKey = "";
      this.predictions.element.replaceChildren();
      this.status.textContent = t("compare_none");
      return;
    }
    if (!meta) return;
    const key = JSON.stringify([meta.name, meta.cell, meta.layers]);
    if (key !== this.diagramKey) {
      this.diagram?.remove();
      this.diagram = createDiagram(this.container, meta, meta.layers - 1);
      this.diagram.svg.dataset.testid = "compare-diagram";
      this.diagramKey = key;
    }
    // The same step as the main view, as far as this trace has got.
    this.trace.view.set({ t: Math.min(this.main.t, steps.length - 1) });
    const step = this.trace.t;  // (not `t`: that is the strings table's here)
    const record = this.trace.record(step);
    if (record) this.diagram.update(record, this.trace.previous(step), this.trace.input(step), this.trace.below(step));
    else this.diagram.clear();
    this.diagram.selectUnit(Math.min(this.main.unit, meta.hidden_size - 1));
    this.container.dataset.t = String(step);
    this.predictions.render();
  }
}
