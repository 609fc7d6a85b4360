// Inside a layer: one yellow box of the diagram opened for the selected unit at this step,
// as CNN Explainer opens a convolution. A learned layer computes z = w · v + b, the unit's
// row of weights w times what the layer reads, v = [h_{t-1}, x_t] (and a variant's extra
// terms), plus its bias, then σ(z) or tanh(z): shown here as the three strips v, w and
// their products w·v, the products that matter most with what each input is, the sum,
// and the curve with this step's point on it. The numbers are the server's (POST
// /api/layer), read with the trace's own text and what-if changes, so σ(z) is the value
// the diagram shows.
import { drawActivation } from "./activation-curve.js";
import { el } from "./diagram/svg.js";
import { errorText } from "./errors.js";
import { t } from "./i18n/index.js";
import { format } from "./mathml.js";
import { colourFor } from "./palette.js";
import { postJson } from "./server.js";
import { anyInterventions } from "./state.js";
import { plainLabel, scripted, visibleToken } from "./text.js";
import { unitFeatures, unitName } from "./unit-names.js";
import { vectorLabel } from "./vectors.js";

const TOP = 5;  // products listed by size
const WAIT_MS = 250;  // let scrubbing and typing settle before asking
const SYMBOL = { sigmoid: "σ", tanh: "tanh", linear: "" };
const SAME = 2e-5;  // the layer's output and the trace's value agree to float32 and the stream's rounding
const LABEL = { r_h_prev: "r_h" };  // a part's vector, by its label's name in config.js where they differ

function node(tag, attributes = {}, children = []) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key === "text") element.textContent = value;
    else element.setAttribute(key, value);
  }
  element.append(...children);
  return element;
}

const num = (value) => format(value, 4);
const partLabel = (part, answer) =>
  vectorLabel(part.reads === "x" && answer.x_kind === "below" ? "h_below" : LABEL[part.reads] ?? part.reads);

// Every product of a part with its input named: which h unit, which input dim or token.
function products(answer, features, below) {
  return answer.parts.flatMap((part, p) => part.values.map((v, k) => {
    const j = part.index ? part.index[k] : k;
    const w = part.weights[k];
    let input = `${partLabel(part, answer)}[${j}]`;
    let about = part.reads === "x" ? "" : unitName(features, j);
    if (part.reads === "x" && answer.x_kind === "one-hot") input = `${vectorLabel("x")} = “${visibleToken(answer.token)}”`;
    if (part.reads === "x" && answer.x_kind === "below") about = unitName(below, j);
    // A part scaled as a whole (PyTorch's GRU: r_t · (w · h_{t-1} + b_h)) reads s · v: its products add up to the sum.
    if (part.scaled_by) input = `${vectorLabel(part.scaled_by)} · ${input}`;
    return { part: p, k, input, about, v: part.scale * v, w, product: part.scale * w * v };
  })).map((product, index) => ({ ...product, index }));
}

export class InsideLayer {
  // element: the section it fills; bar: the row of buttons, one per yellow box; trace,
  // store: what is shown; getDiagram: the diagram now; tooltip: the page's hover label.
  constructor(element, bar, { trace, store, getDiagram, tooltip }) {
    this.element = element;
    this.bar = bar;
    this.trace = trace;
    this.store = store;
    this.getDiagram = getDiagram;
    this.tooltip = tooltip;
    this.box = null;  // the open box's diagram part, or null
    this.asked = "";
    this.timer = null;
    this.title = element.querySelector("[data-testid=inside-title]");
    this.status = element.querySelector("[data-testid=inside-status]");
    this.body = element.querySelector("[data-role=body]");
    this.buttons = bar.querySelector("[data-role=box-buttons]");
    element.querySelector("[data-testid=inside-close]").addEventListener("click", () => this.close());
    this.buttons.addEventListener("click", (event) => {
      const button = event.target.closest("[data-box]");
      if (button) this.open(button.dataset.box);
    });
    this.body.addEventListener("pointermove", (event) => this.hover(event));
    this.body.addEventListener("pointerleave", () => tooltip.hide());
    element.addEventListener("keydown", (event) => {
      if (event.key === "Escape") this.close();
    });
  }

  // A click on the diagram: open the yellow box under it, if any.
  clicked(event) {
    const box = event.target.closest(".layer-box");
    if (!box) return false;
    this.open(box.dataset.testid.replace(/^box-/, ""));
    return true;
  }

  open(box) {
    this.box = box;
    this.element.hidden = false;
    this.render();
    this.element.querySelector("[data-testid=inside-close]").focus({ preventScroll: true });
  }

  // refocus: give the focus back to the box's button (not when another cell took the box away)
  close({ refocus = true } = {}) {
    const box = this.box;
    this.box = null;
    this.asked = "";
    this.element.hidden = true;
    if (refocus) this.buttons.querySelector(`[data-box="${box}"]`)?.focus({ preventScroll: true });
  }

  // One button per yellow box of the diagram shown (made again when the diagram is).
  showButtons(diagram) {
    if (!diagram || diagram === this.buttonsFor) return;
    this.buttonsFor = diagram;
    this.buttons.replaceChildren(...[...diagram.svg.querySelectorAll(".layer-box")].map((group) => {
      const box = group.dataset.testid.replace(/^box-/, "");
      const name = t(`inside_box_${box.replace(/-/g, "_")}`);
      const shown = `${plainLabel(group.dataset.label)} ${group.dataset.vector ? vectorLabel(group.dataset.vector) : ""}`.trim();
      const button = node("button", {  // (the name a screen reader gives starts with what is written on it)
        type: "button", "data-box": box, "data-testid": `open-box-${box}`, "aria-label": `${shown}: ${t("inside_open_box", { name })}`,
      });
      button.textContent = shown;
      return button;
    }));
    if (this.box && !this.buttons.querySelector(`[data-box="${this.box}"]`)) this.close({ refocus: false });  // another cell: no such box
  }

  render() {
    this.showButtons(this.getDiagram());
    if (!this.box || !this.trace.meta) return;
    const step = this.trace.current;
    if (!step) return;
    const { state } = this.store;
    const request = {
      model: state.model, text: state.text, t: this.trace.t, layer: this.trace.layer, unit: this.trace.unit, box: this.box,
      ...(anyInterventions(state.whatif) ? { whatif: state.whatif } : {}),
    };
    const wanted = JSON.stringify(request);
    if (wanted === this.asked) return;
    this.asked = wanted;
    this.status.textContent = t("inside_reading");
    this.element.setAttribute("aria-busy", "true");
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.fetch(request, wanted, step.token), WAIT_MS);
  }

  async fetch(request, wanted, token) {
    let answer;
    try {
      const response = await postJson("api/layer", request);  // beside the page, under any path prefix
      const body = await response.json();
      answer = response.ok ? body : { error: errorText(body.detail ?? { code: String(response.status) }) };
    } catch (error) {
      answer = { error: error.message };
    }
    if (wanted !== this.asked) return;  // moved on meanwhile
    this.element.removeAttribute("aria-busy");
    if (!answer.error && answer.token !== token) answer = { error: t("inside_mismatch") };
    if (answer.error) {
      this.status.textContent = answer.error;
      this.body.replaceChildren();
      return;
    }
    this.status.textContent = "";
    this.show(answer);
  }

  show(answer) {
    const { meta } = this.trace;
    const features = unitFeatures(meta, answer.layer);
    const below = answer.layer > 0 ? unitFeatures(meta, answer.layer - 1) : new Map();
    this.products = products(answer, features, below);
    const name = t(`inside_box_${answer.box.replace(/-/g, "_")}`);
    const symbol = SYMBOL[answer.activation];
    const output = answer.vector ? vectorLabel(answer.vector) : "(W_h·h_{t-1} + b_h)";  // (scripts written by scripted())
    this.title.textContent = t("inside_title", { name, u: answer.unit, t: answer.t, token: visibleToken(answer.token) });
    const unitAbout = unitName(features, answer.unit);
    this.element.dataset.box = answer.box;
    this.element.dataset.unit = String(answer.unit);
    this.element.dataset.t = String(answer.t);
    this.body.replaceChildren(
      node("p", { class: "inside-equation", "data-testid": "inside-equation" }, scripted(this.equation(answer, output, symbol))),
      ...(unitAbout ? [node("p", { class: "inside-about", text: t("inside_unit_tracks", { u: answer.unit, feature: unitAbout }) })] : []),
      this.strips(answer),
      node("div", { class: "inside-grid" }, [this.topTable(answer), this.sum(answer), this.curve(answer, output, symbol)]),
    );
  }

  // "fₜ[3] = σ(z),  z = w · hₜ₋₁ + w · xₜ + b"
  equation(answer, output, symbol) {
    const terms = answer.parts.map((part) => {
      const dot = `w · ${partLabel(part, answer)}`;
      return part.scaled_by ? `${vectorLabel(part.scaled_by)} · (${dot} + b_h)` : dot;
    });
    const applied = symbol ? `${symbol}(z)` : "z";
    const result = answer.used ? `${output}[${answer.unit}] = ` : "";  // (an idle clockwork unit does not take it)
    return `${result}${applied},   z = ${[...terms, "b"].join(" + ")}`;
  }

  // Three rows, v, w and w·v, each part of what the layer reads side by side: a part's
  // width is its number of entries (a one-entry part is given a little more, to be seen).
  strips(answer) {
    const largest = (values) => Math.max(1e-9, ...values.map(Math.abs));
    const all = this.products;
    const top = new Set(this.ranked().slice(0, TOP));
    const scales = { v: 1, w: largest(all.map((p) => p.w)), product: largest(all.map((p) => p.product)) };
    const flex = (part) => `flex: ${part.values.length > 4 ? `${part.values.length} 1 0` : "0 0 1.2rem"}`;  // a few entries: seen whole
    const row = (label, cells) => node("div", { class: "inside-row" }, [
      node("span", { class: "inside-row-label", text: label }), node("div", { class: "inside-row-cells" }, cells),
    ]);
    const cell = (q, key) => node("span", {
      class: top.has(q) ? "inside-cell inside-cell-top" : "inside-cell", "data-index": String(q.index),
      style: `background: ${colourFor(key === "v" ? "v" : "w", q[key] / scales[key])}`,
    });
    const segments = (key) => answer.parts.map((part, p) =>
      node("span", { class: "inside-part", style: flex(part) }, all.filter((q) => q.part === p).map((q) => cell(q, key))));
    const names = answer.parts.map((part) => node("span", { class: "inside-part-name", style: flex(part), text: partLabel(part, answer) }));
    return node("div", { class: "inside-strips", "data-testid": "inside-strips" }, [
      row("", names),
      row(t("inside_row_inputs"), segments("v")),
      row(t("inside_row_weights", { u: answer.unit }), segments("w")),
      row(t("inside_row_products"), segments("product")),
    ]);
  }

  ranked() {
    return [...this.products].sort((a, b) => Math.abs(b.product) - Math.abs(a.product));
  }

  // The products that matter most, each with its input named, and the rest in one line.
  topTable(answer) {
    const ranked = this.ranked();
    const shown = ranked.slice(0, TOP);
    const rest = ranked.slice(TOP);
    const table = node("table", { class: "inside-top", "data-testid": "inside-top", tabindex: "-1" }, [
      node("caption", { text: t("inside_top_caption") }),
      node("thead", {}, [node("tr", {}, [t("inside_input"), "v", "w", "w·v"].map((text) => node("th", { scope: "col", text })))]),
    ]);
    const body = node("tbody", {}, shown.map((p) => node("tr", { "data-testid": "inside-top-row" }, [
      node("th", { scope: "row" }, [p.input, ...(p.about ? [node("span", { class: "inside-about-unit", text: ` ${p.about}` })] : [])]),
      node("td", { text: num(p.v) }), node("td", { text: num(p.w) }), node("td", { text: num(p.product) }),
    ])));
    if (rest.length) {
      const sum = rest.reduce((total, p) => total + p.product, 0);
      body.append(node("tr", { class: "inside-rest" }, [
        node("th", { scope: "row", colspan: "3", text: t("inside_rest", { n: rest.length }) }), node("td", { text: num(sum) }),
      ]));
    }
    table.append(body);
    return table;
  }

  // Each part's total, the bias, and z: the sum the activation takes.
  sum(answer) {
    const lines = answer.parts.map((part, p) => {
      const dot = part.values.reduce((total, v, k) => total + part.weights[k] * v, 0);  // w · v
      const label = partLabel(part, answer);
      const count = part.values.length;
      if (part.scaled_by) {
        const text = `${vectorLabel(part.scaled_by)} · (w · ${label} + b_h) = ${num(part.scale)} · (${num(dot)} + ${num(part.bias)})`;
        return [text, part.scale * (dot + part.bias)];
      }
      if (part.reads === "x" && answer.x_kind === "one-hot") return [t("inside_part_one_hot", { label, token: visibleToken(answer.token) }), dot];
      if (part.index) return [plainLabel(t("inside_part_one", { label, j: part.index[0] })), dot];
      return [t("inside_part_sum", { label, n: count }), dot];
    });
    lines.push([t("inside_bias"), answer.bias]);
    return node("div", { class: "inside-sum", "data-testid": "inside-sum" }, [
      node("h4", { text: t("inside_sum_title") }),
      node("table", {}, [node("tbody", {}, [
        ...lines.map(([label, value], k) => node("tr", {}, [node("th", { scope: "row" }, scripted(`${k ? "+ " : ""}${label}`)), node("td", { text: num(value) })])),
        node("tr", { class: "inside-total" }, [
          node("th", { scope: "row", text: "z =" }), node("td", { "data-testid": "inside-z", text: num(answer.preactivation) }),
        ]),
      ])]),
    ]);
  }

  // σ or tanh, with this step's point; and whether the cell used what the layer gave.
  curve(answer, output, symbol) {
    const figure = node("figure", { class: "inside-curve" });
    const applied = `${symbol ? `${symbol}(${num(answer.preactivation)})` : "z"} = ${num(answer.output)}`;
    const result = answer.used ? `${output}[${answer.unit}] = ${applied}` : applied;
    if (symbol) {
      const svg = el("svg", { class: "activation-curve", role: "img", "aria-label": result });
      drawActivation(svg, answer.activation, answer.preactivation, answer.output, { name: symbol, output });
      figure.append(svg);
    }
    const caption = node("figcaption", {}, [node("strong", { "data-testid": "inside-output" }, scripted(result))]);
    const used = answer.used && Math.abs(answer.value - answer.output) <= SAME;
    const note = !answer.used ? t("inside_idle", { u: answer.unit, value: num(answer.value) })
      : used ? (answer.vector ? t("inside_same", { vector: output }) : "")
        : t("inside_held", { vector: `${output}[${answer.unit}]`, value: num(answer.value) });
    if (note) caption.append(node("br"), node("span", { "data-testid": "inside-note", text: plainLabel(note) }));
    figure.append(caption);
    return figure;
  }

  // A strip's cell: its input, value, weight and product.
  hover(event) {
    const cell = event.target.closest(".inside-cell");
    if (!cell || !this.products) return this.tooltip.hide();
    const p = this.products[Number(cell.dataset.index)];
    const about = p.about ? ` (${p.about})` : "";
    this.tooltip.show(`${p.input}${about}\nv = ${num(p.v)}, w = ${num(p.w)}\nw·v = ${num(p.product)}`, event.clientX, event.clientY);
  }
}
