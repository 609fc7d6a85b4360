// The article's walk-through, live, for whichever cell is shown: its steps in order (the
// LSTM's four, the GRU's, the depth gate as a step of its own, the clockwork's clock), each
// lighting its part of the diagram, with its equations, the same equations with this step's
// numbers for the selected unit, and a sentence about what the unit is doing. The steps and
// their equations are the cell's own, declared in Python (app/cells) and sent in the meta.
import { figureFor } from "./diagram/index.js";
import { t } from "./i18n/index.js";
import { equation, format, substituted } from "./mathml.js";
import { plainLabel, scripted } from "./text.js";

const pct = (v) => `${Math.round(v * 100)}%`;
const holds = ([name, op, threshold], at) => (op === ">" ? at[name] > threshold : at[name] < threshold);

export class Walkthrough {
  constructor(element, trace, getDiagram) {
    this.element = element;
    this.trace = trace;
    this.getDiagram = getDiagram;  // the diagram shown now (it is rebuilt when the cell changes)
    this.title = element.querySelector("[data-role=title]");
    this.equations = element.querySelector("[data-role=equations]");
    this.numbers = element.querySelector("[data-role=numbers]");
    this.notes = element.querySelector("[data-role=notes]");
    this.story = element.querySelector("[data-role=story]");
    this.buttonGroup = element.querySelector("[data-role=stage-buttons]");
    this.buttons = [];
    // The diagram is dimmed to a stage's parts only once the student walks through the
    // stages (or a link asks for one); until then the whole figure is lit.
    this.engaged = false;
    this.spotlight = null;  // what to light while no stage is engaged ({parts, vectors}: a beat of the guided walk)
    this.buttonGroup.addEventListener("click", (event) => {
      const button = event.target.closest("[data-stage]");
      if (!button) return;
      this.engaged = true;
      trace.setStage(Number(button.dataset.stage));
    });
  }

  get applies() {
    return Boolean(this.trace.meta?.cell_figures);
  }

  get stages() {
    return figureFor(this.trace.meta, this.trace.layer)?.stages ?? [];
  }

  // The stage shown: the one asked for, or the last this cell has.
  get index() {
    return Math.max(0, Math.min(this.trace.stage, this.stages.length - 1));
  }

  // Move one stage on (or back), into the next (or previous) time step at the ends.
  move(delta) {
    const { trace } = this;
    const last = this.stages.length - 1;
    this.engaged = true;
    let stage = this.index + delta;
    if (stage > last && trace.t < trace.steps.length - 1) {
      stage = 0;
      trace.seek(trace.t + 1);
    } else if (stage < 0 && trace.t > 0) {
      stage = last;
      trace.seek(trace.t - 1);
    }
    trace.setStage(Math.max(0, Math.min(stage, last)));
  }

  // One button per stage of the shown cell, made again when the cell or layer changes.
  showButtons(stages) {
    const keys = stages.map((stage) => stage.key).join("/");
    if (keys === this.buttonKeys) return;
    this.buttonKeys = keys;
    for (const button of this.buttons) button.remove();
    this.buttons = stages.map((stage, k) => {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.stage = String(k);
      button.dataset.testid = `stage-${k}`;
      button.textContent = `${k + 1} ${t(`stage_button_${stage.key}`)}`;
      return button;
    });
    this.buttonGroup.prepend(...this.buttons);
  }

  render(visible) {
    const diagram = this.getDiagram();
    const stages = this.stages;
    const stage = stages[this.index];
    diagram?.highlight(visible && stage && this.engaged ? stage : this.spotlight);
    if (!visible || !stage) return;
    this.showButtons(stages);
    this.buttons.forEach((button, k) => button.setAttribute("aria-pressed", String(k === this.index)));
    this.title.textContent = plainLabel(`${this.index + 1}. ${t(`stage_title_${stage.key}`)}`);
    this.element.dataset.stageKey = stage.key;
    const words = { if: t("eq_if"), otherwise: t("eq_otherwise") };
    const shown = `${this.buttonKeys}/${this.index}`;  // the equations change only with the stage
    if (shown !== this.equationsShown) {
      this.equations.replaceChildren(...stage.equations.map((eq) => equation(eq, words)));
      this.notes.replaceChildren(...stage.notes.map((key) => {
        const note = document.createElement("p");
        note.append(...scripted(t(key)));
        return note;
      }));
      this.equationsShown = shown;
    }
    const values = diagram?.values;
    if (!values) {
      this.numbers.replaceChildren();
      this.story.textContent = t("walk_no_steps");
      return;
    }
    const u = this.trace.unit;
    const units = this.trace.meta.hidden_size;  // (x_t may be an embedding of another size: it is never a number here)
    const at = Object.fromEntries(Object.entries(values).filter(([, v]) => v?.length === units).map(([k, v]) => [k, v[u]]));
    const facts = { t: this.trace.t, ...(diagram.facts?.(u) ?? {}) };
    this.numbers.replaceChildren(...stage.equations.map((eq) => substituted(eq, at, facts, words)));
    this.numbers.dataset.unit = String(u);
    const [, key] = stage.story.find(([condition]) => !condition || holds(condition, at));
    // The story may name any value: {c_prev} (2 decimals), {pct_f} (a gate as a percentage), {u}, {t}, {T}.
    const placeholders = { u, ...facts };
    for (const [name, value] of Object.entries(at)) Object.assign(placeholders, { [name]: format(value), [`pct_${name}`]: pct(value) });
    this.story.textContent = t("story_prefix", { t: this.trace.t, token: this.trace.current.token, u }) + plainLabel(t(key, placeholders));
  }
}
