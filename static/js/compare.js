// The long-term dependency problem, side by side: the same text read by a second model
// (a plain RNN beside the LSTM, say), over its own stream, shown at the same time step
// with its own diagram and next-token guesses.
import { createDiagram } from "./diagram/index.js";
import { errorText } from "./errors.js";
import { t } from "./i18n/index.js";
import { TextFeed } from "./input.js";
import { cellTitle } from "./models.js";
import { Predictions } from "./predictions.js";
import { TraceStream } from "./stream.js";
import { Trace } from "./trace.js";

export class Comparison {
  constructor(section, { textBox, mainTrace, wsUrl, onChange }) {
    this.section = section;
    this.textBox = textBox;
    this.main = mainTrace;
    this.wsUrl = wsUrl;
    this.select = section.querySelector('[data-testid="compare-select"]');
    this.container = section.querySelector('[data-testid="compare-diagram-container"]');
    this.trace = new Trace();
    this.predictions = new Predictions(section.querySelector('[data-testid="compare-predictions"]'), this.trace);
    this.status = section.querySelector('[data-testid="compare-status"]');
    this.diagram = null;
    this.diagramKey = "";
    this.feed = null;
    this.trace.subscribe(() => onChange());
    this.select.addEventListener("change", () => {
      this.start();
      onChange("compare");
    });
  }

  get model() {
    return this.select.value || null;
  }

  // The models to choose from; `wanted` (from the link) or else one that reads the same
  // kind of tokens with another cell, a plain RNN first (the article's contrast).
  offer(models, wanted, main) {
    const usable = models.filter((m) => !m.error);
    this.select.replaceChildren(...usable.map((m) => {
      const option = document.createElement("option");
      option.value = m.name;
      option.textContent = `${m.name} — ${cellTitle(m)}`;
      option.dataset.tokenizer = m.tokenizer;
      return option;
    }));
    const alike = usable.filter((m) => m.tokenizer === main?.tokenizer && m.name !== main?.name);
    const other = alike.find((m) => m.cell === "rnn" && !m.trained === !main?.trained)
      ?? alike.find((m) => m.cell === "rnn") ?? alike.find((m) => m.cell !== main?.cell);
    this.select.value = usable.some((m) => m.name === wanted) ? wanted : other?.name ?? "";
  }

  // Compare with `name` (a link's or a beat's choice), if it is offered.
  choose(name) {
    if (name === this.model || ![...this.select.options].some((o) => o.value === name)) return;
    this.select.value = name;
    if (this.feed) this.start();
  }

  // Open the second stream the first time the panel is shown, or restart it on a new model.
  start() {
    if (!this.model) return;
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
    const { meta, steps } = this.trace;
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
    const t = this.trace.t;
    const record = this.trace.record(t);
    if (record) this.diagram.update(record, this.trace.previous(t), this.trace.input(t), this.trace.below(t));
    else this.diagram.clear();
    this.diagram.selectUnit(Math.min(this.main.unit, meta.hidden_size - 1));
    this.container.dataset.t = String(t);
    this.predictions.render();
  }
}
