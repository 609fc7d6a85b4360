// The curve of a learned layer's activation, σ or tanh, with this step's point on it:
// the sum z the layer computed along the horizontal axis, its output up the vertical.
import { el } from "./diagram/svg.js";
import { format } from "./mathml.js";

const FUNCTIONS = { sigmoid: (z) => 1 / (1 + Math.exp(-z)), tanh: Math.tanh };
const SIZE = { width: 320, height: 190, left: 36, right: 12, top: 14, bottom: 30 };
const REACH = 6;  // the curve is drawn over z in [−6, 6], wider where z lies beyond

// Draw into `svg` (emptied first): the curve of `activation` and the point (z, y); `name`
// is the function's symbol ("σ", "tanh"), `output` the vector's label ("fₜ").
export function drawActivation(svg, activation, z, y, { name, output }) {
  svg.replaceChildren();
  const f = FUNCTIONS[activation];
  const reach = Math.min(Math.max(REACH, Math.ceil(Math.abs(z) + 1)), 60);
  const [low, high] = activation === "sigmoid" ? [0, 1] : [-1, 1];
  const { width, height, left, right, top, bottom } = SIZE;
  svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
  const px = (v) => left + ((v + reach) / (2 * reach)) * (width - left - right);
  const py = (v) => top + ((high - v) / (high - low)) * (height - top - bottom);
  const axes = el("g", { class: "curve-axes" }, svg);
  el("line", { x1: px(-reach), y1: py(low), x2: px(reach), y2: py(low) }, axes);
  el("line", { x1: px(0), y1: py(low), x2: px(0), y2: py(high) }, axes);
  for (const v of [low, (low + high) / 2, high]) {
    el("line", { x1: px(-reach), y1: py(v), x2: px(reach), y2: py(v), class: "curve-grid" }, axes);
    el("text", { x: left - 4, y: py(v) + 4, "text-anchor": "end" }, axes).textContent = format(v, v % 1 ? 1 : 0);
  }
  for (const v of [-reach, 0, reach]) el("text", { x: px(v), y: height - 10, "text-anchor": "middle" }, axes).textContent = format(v, 0);
  el("text", { x: width - right, y: py(low) - 4, "text-anchor": "end", class: "curve-name" }, axes).textContent = "z";
  const points = Array.from({ length: 121 }, (_, k) => -reach + (2 * reach * k) / 120);
  el("path", { d: points.map((v, k) => `${k ? "L" : "M"}${px(v).toFixed(1)},${py(f(v)).toFixed(1)}`).join(" "), class: "curve-line" }, svg);
  el("text", { x: px(-reach) + 4, y: top + 10, class: "curve-name" }, svg).textContent = `${output} = ${name}(z)`;
  // This step: dashed guides from the axes to the point (z beyond ±60 is drawn at the edge).
  const at = px(Math.max(-reach, Math.min(reach, z)));
  el("path", { d: `M${at},${py(low)} V${py(y)} H${px(0)}`, class: "curve-guide" }, svg);
  el("circle", {
    cx: at, cy: py(y), r: 5.5, class: "curve-point", "data-testid": "inside-point", "data-z": String(z), "data-y": String(y),
  }, svg);
}
