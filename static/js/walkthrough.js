// The article's walk-through, live: its four steps in order, each lighting its part of
// the diagram, with the equation, this step's real numbers for the selected unit, and a
// sentence about what the model is doing.
import { t } from "./i18n/index.js";
import { format, math, mi, mn, mo, row, sub, tMinus1, tilde } from "./mathml.js";
import { cellTitle } from "./models.js";

const pct = (v) => `${Math.round(v * 100)}%`;
const σ = () => mi("σ");
const hx = () => row(mo("["), sub("h", tMinus1()), mo(","), sub("x", "t"), mo("]"));
const layer = (gate, weight, activation = σ) =>
  row(activation(), mo("("), sub("W", weight), mo("·"), hx(), mo("+"), sub("b", weight), mo(")"));
const C = (t = "t") => sub("C", t === "t" ? "t" : tMinus1());
const Ct = () => sub(tilde("C"), "t");

// Each stage: its title, the diagram parts and strips it lights, its equations and its story.
export const STAGES = [
  {
    title: "stage_title_0",
    parts: ["belt", "forget"], vectors: ["f", "c_prev", "f_c", "x", "h_prev"],
    equations: () => [math(sub("f", "t"), mo("="), layer("f", "f"))],
    numbers: (v) => [math(sub("f", "t"), mo("="), mn(v.f, 3), mo(","), C("t-1"), mo("="), mn(v.c_prev, 3),
      mo("→"), sub("f", "t"), mo("·"), C("t-1"), mo("="), mn(v.f_c, 3))],
    story: (v, u) => t(v.f > 0.9 ? "story_forget_keep" : v.f < 0.1 ? "story_forget_wipe" : "story_forget_some",
      { u, pct: pct(v.f), old: format(v.c_prev), kept: format(v.f_c) }),
  },
  {
    title: "stage_title_1",
    parts: ["belt", "input", "candidate"], vectors: ["i", "c_tilde", "i_c", "x", "h_prev"],
    equations: (coupled) => [
      coupled ? math(sub("i", "t"), mo("="), mn("1"), mo("−"), sub("f", "t")) : math(sub("i", "t"), mo("="), layer("i", "i")),
      math(Ct(), mo("="), layer("C", "C", () => mi("tanh"))),
    ],
    numbers: (v) => [math(sub("i", "t"), mo("="), mn(v.i, 3), mo(","), Ct(), mo("="), mn(v.c_tilde, 3),
      mo("→"), sub("i", "t"), mo("·"), Ct(), mo("="), mn(v.i_c, 3))],
    story: (v, u) => t(v.i < 0.1 ? "story_input_shut" : "story_input_open",
      { u, pct: pct(v.i), candidate: format(v.c_tilde), written: format(v.i_c) }),
  },
  {
    title: "stage_title_2",
    parts: ["belt", "update", "depth"], vectors: ["f_c", "i_c", "c", "c_prev", "d_c"],
    equations: () => [math(C(), mo("="), sub("f", "t"), mo("*"), C("t-1"), mo("+"), sub("i", "t"), mo("*"), Ct())],
    numbers: (v) => [math(C(), mo("="), mn(v.f, 3), mo("×"), mn(v.c_prev, 3), mo("+"), mn(v.i, 3), mo("×"), mn(v.c_tilde, 3),
      ...(v.d_c !== undefined ? [mo("+"), mn(v.d_c, 3)] : []), mo("="), mn(v.c, 3))],
    story: (v, u) => t(v.d_c !== undefined ? "story_update_depth" : "story_update", {
      u, old: format(v.c_prev), new: format(v.c), kept: format(v.f_c), written: format(v.i_c),
      below: v.d_c !== undefined ? format(v.d_c) : "",
    }),
  },
  {
    title: "stage_title_3",
    parts: ["belt", "output"], vectors: ["o", "tanh_c", "h", "c"],
    equations: () => [
      math(sub("o", "t"), mo("="), layer("o", "o")),
      math(sub("h", "t"), mo("="), sub("o", "t"), mo("*"), mi("tanh"), mo("("), C(), mo(")")),
    ],
    numbers: (v) => [math(sub("h", "t"), mo("="), mn(v.o, 3), mo("×"), mi("tanh"), mo("("), mn(v.c, 3), mo(")"),
      mo("="), mn(v.o, 3), mo("×"), mn(v.tanh_c, 3), mo("="), mn(v.h, 3))],
    story: (v, u) => t(v.o < 0.1 ? "story_output_hide" : "story_output_show",
      { u, pct: pct(v.o), c: format(v.c), tanh: format(v.tanh_c), h: format(v.h) }),
  },
];

const LSTM_FAMILY = new Set(["lstm", "peephole", "cifg", "dglstm"]);

export class Walkthrough {
  constructor(element, trace, getDiagram) {
    this.element = element;
    this.trace = trace;
    this.getDiagram = getDiagram;  // the diagram shown now (it is rebuilt when the cell changes)
    this.title = element.querySelector("[data-role=title]");
    this.equations = element.querySelector("[data-role=equations]");
    this.numbers = element.querySelector("[data-role=numbers]");
    this.story = element.querySelector("[data-role=story]");
    this.stageButtons = [...element.querySelectorAll("[data-stage]")];
    // The diagram is dimmed to a stage's parts only once the student walks through the
    // stages (or a link asks for one); until then the whole figure is lit.
    this.engaged = false;
    for (const button of this.stageButtons) {
      button.addEventListener("click", () => {
        this.engaged = true;
        trace.setStage(Number(button.dataset.stage));
      });
    }
  }

  get applies() {
    return Boolean(this.trace.meta) && LSTM_FAMILY.has(this.trace.meta.cell);
  }

  // Move one stage on (or back), into the next (or previous) time step at the ends.
  move(delta) {
    const { trace } = this;
    this.engaged = true;
    let stage = trace.stage + delta;
    if (stage > 3 && trace.t < trace.steps.length - 1) {
      stage = 0;
      trace.seek(trace.t + 1);
    } else if (stage < 0 && trace.t > 0) {
      stage = 3;
      trace.seek(trace.t - 1);
    }
    trace.setStage(Math.max(0, Math.min(stage, 3)));
  }

  render(visible) {
    const diagram = this.getDiagram();
    const active = visible && this.applies;
    diagram?.highlight(active && this.engaged ? STAGES[this.trace.stage] : null);
    if (!visible) return;
    if (!this.applies) {
      this.title.textContent = t("walk_not_lstm_title");
      this.story.textContent = t("walk_not_lstm", { cell: this.trace.meta ? cellTitle(this.trace.meta) : "?" });
      this.equations.replaceChildren();
      this.equationsShown = null;
      this.numbers.replaceChildren();
      return;
    }
    const stage = STAGES[this.trace.stage];
    const coupled = this.trace.meta.cell === "cifg";
    this.stageButtons.forEach((button, k) => button.setAttribute("aria-pressed", String(k === this.trace.stage)));
    this.title.textContent = t(stage.title);
    const equations = `${this.trace.stage}/${coupled}`;  // they change only with the stage
    if (equations !== this.equationsShown) this.equations.replaceChildren(...stage.equations(coupled));
    this.equationsShown = equations;
    const values = diagram?.values;
    if (!values) {
      this.numbers.replaceChildren();
      this.story.textContent = t("walk_no_steps");
      return;
    }
    const u = this.trace.unit;
    const at = Object.fromEntries(Object.entries(values).filter(([, v]) => v?.length).map(([k, v]) => [k, v[u]]));
    this.numbers.replaceChildren(...stage.numbers(at));
    this.numbers.dataset.unit = String(u);
    this.story.textContent = t("story_prefix", { t: this.trace.t, token: this.trace.current.token, u }) + stage.story(at, u);
  }
}
