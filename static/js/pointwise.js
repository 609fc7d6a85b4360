// A pink pointwise operation of the diagram, read back from the diagram's own graph
// (diagram/svg.js: each node names its op and the vector it outputs, each wire which node
// feeds which): the vectors that flow into it, through forks and joins, and what comes
// out, for one unit. What the hover over a pink circle says.
import { t } from "./i18n/index.js";
import { format } from "./mathml.js";
import { plainLabel } from "./text.js";
import { vectorLabel } from "./vectors.js";

const APPLY = {
  "×": (values) => values.reduce((a, b) => a * b, 1),
  "+": (values) => values.reduce((a, b) => a + b, 0),
  "1−": ([a]) => 1 - a,
  tanh: ([a]) => Math.tanh(a),
};

// The nodes feeding node `id`: through junctions (a fork passes its one input on) to the
// node or terminal whose output is a vector, or to a box whose output has none.
function sources(svg, id, seen = new Set()) {
  if (seen.has(id)) return [];
  seen.add(id);
  return [...svg.querySelectorAll(`[data-to="${id}"]`)].flatMap((wire) => {
    const from = svg.querySelector(`[data-node="${wire.dataset.from}"]`);
    if (!from || wire.dataset.role === "control") return [];
    if (from.dataset.op === "junction") return sources(svg, wire.dataset.from, seen);
    return [from];
  });
}

// "×\nfₜ[3] = 0.9719\nCₜ₋₁[3] = 1.2000\n→ fₜ * Cₜ₋₁[3] = 1.1663"; null where the diagram has no numbers yet.
export function pointwiseText(diagram, group, unit) {
  const values = diagram?.values;
  if (!values) return null;
  const inputs = sources(diagram.svg, group.dataset.node).map((from) => {
    const vector = from.dataset.vector;
    const value = vector ? values[vector]?.[unit] : undefined;
    const name = vector ? vectorLabel(vector) : plainLabel(from.dataset.label ?? from.textContent.trim());  // a box: its own label
    return { name, value };
  });
  const op = group.dataset.op;
  const known = inputs.every((input) => Number.isFinite(input.value));
  const own = group.dataset.vector ? values[group.dataset.vector]?.[unit] : undefined;
  const out = Number.isFinite(own) ? own : known && APPLY[op] ? APPLY[op](inputs.map((input) => input.value)) : null;
  const outName = group.dataset.vector ? vectorLabel(group.dataset.vector) : t("pointwise_result");
  const lines = inputs.map(({ name, value }) =>
    `${name}[${unit}] = ${Number.isFinite(value) ? format(value, 4) : t("pointwise_open_box")}`);
  return [t("pointwise_title", { op }), ...lines, `→ ${outName}[${unit}] = ${out === null ? "?" : format(out, 4)}`].join("\n");
}
