// Gradient flow (the article's §2, measured): how much the last step depends on each
// earlier input and carried state, ‖∂h_T/∂x_t‖ and ‖∂C_T/∂C_t‖ (‖∂h_T/∂h_t‖ without a
// belt), for the main model and the compared one, on a log scale. Computed exactly on
// the server once the text stops changing.
import { Chart, cursorShape, hoverTokens, timeAxis } from "./chart.js";
import { errorText } from "./errors.js";
import { t } from "./i18n/index.js";
import { postJson } from "./server.js";

const WAIT_MS = 400;  // let typing settle before asking

export class GradientFlow extends Chart {
  constructor(element, note, trace, models) {
    super(element);
    this.note = note;
    this.trace = trace;
    this.models = models;  // () => [{model, text, layer}], the main model first
    this.results = [];
    this.asked = "";
    this.asking = null;  // the AbortController of the requests in flight
    this.timer = null;
  }

  cursorShapes(now) {
    return cursorShape(now);
  }

  render() {
    if (!this.trace.meta || !this.ready(() => this.render())) return;
    const wanted = JSON.stringify(this.models());
    if (wanted !== this.asked) {
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.fetch(wanted), WAIT_MS);
      this.computing = wanted;
    }
    this.plot();
  }

  async fetch(wanted) {
    this.asked = wanted;
    this.asking?.abort();  // the older answer is no longer wanted: the server stops computing it
    const asking = this.asking = new AbortController();
    const requests = JSON.parse(wanted).filter((r) => r.text);
    const results = await Promise.all(requests.map(async (request) => {
      const response = await postJson("api/gradients", request, asking.signal);  // beside the page, under any path prefix
      const body = await response.json();
      return response.ok ? body : { model: request.model, error: errorText(body.detail ?? { code: String(response.status) }) };
    })).catch((error) => { if (error.name !== "AbortError") throw error; });
    if (wanted !== this.asked || !results) return;  // the text moved on meanwhile
    this.results = results;
    this.shownFor = JSON.parse(wanted)[0]?.text;
    if (this.computing === wanted) this.computing = null;
    this.note.textContent = results.filter((r) => r.error).map((r) => `${r.model}: ${r.error}`).join(" · ");
    this.plot();
  }

  // The norms over the text they were computed for, labelled with its tokens while the trace
  // holds the same text; until the first answer, no axes: a line that says it is computing.
  plot() {
    const answered = this.results.filter((r) => !r.error);
    this.element.dataset.state = this.computing ? "computing" : "ready";
    this.say(this.computing ? t("gradients_computing") : null);
    this.element.classList.toggle("no-plot", !answered.length);  // (no empty axes)
    if (!answered.length) return;
    const steps = this.trace.steps.length;  // the tokens of the text traced, if these norms are of it
    const tokens = this.shownFor === this.models()[0]?.text && answered.every((r) => r.input_norms.length === steps)
      ? hoverTokens(this.trace) : null;
    const data = answered.flatMap((r) => {
      const x = r.input_norms.map((_, k) => k);
      const carried = r.state === "c" ? "‖∂C_T/∂C_t‖" : "‖∂h_T/∂h_t‖";
      const hover = { text: tokens ?? undefined, hovertemplate: `t = %{x}${tokens ? " “%{text}”" : ""}: %{y:.3g}<extra>%{fullData.name}</extra>` };
      return [
        { type: "scatter", mode: "lines+markers", name: `${r.model}: ‖∂h_T/∂x_t‖`, x, y: r.input_norms, ...hover },
        { type: "scatter", mode: "lines", name: `${r.model}: ${carried}`, x, y: r.state_norms, line: { dash: "dot" }, ...hover },
      ];
    });
    this.react(data, {
      height: 300, margin: { l: 56, r: 24, t: 10, b: 40 },  // (room for the last token's label)
      xaxis: tokens ? timeAxis(this.trace, this.element) : { title: { text: t("time_axis") } },
      yaxis: { type: "log", exponentformat: "power" },
      legend: { orientation: "h", y: -0.45, yanchor: "top" },
      shapes: this.cursorShapes(this.trace.t),
    });
    this.element.dataset.models = answered.map((r) => r.model).join(",");
  }
}
