// Which units the diagram's strips show, in which order: with 128 or 256 units a strip's
// cells are narrower than a pixel, so the student may focus on FOCUS_SIZE of them, drawn
// that much wider: those around the selected unit, the labelled ones first, the most
// active now (|h_t|) or the most changed by this step (|s_t − s_{t−1}|, s the carried
// state: C for a cell with a belt, else h). The selected unit is always among them. Pure:
// no DOM, so `node --test` checks it.
export const FOCUS_SIZE = 16;
export const FOCUSES = ["all", "around", "labelled", "active", "changed"];

// By a score, largest first; ties in unit order.
const byScore = (units, score) => [...units].sort((a, b) => score(b) - score(a) || a - b);

// null: every unit, in order. Otherwise the units to show, in order.
// step: {h: h_t, carried: s_t, carriedBefore: s_{t−1}} of the layer shown (null before any step);
// labelled: the units the model's labels name on this layer, strongest first.
export function focusUnits(focus, { hidden, selected, labelled = [], step = null, size = FOCUS_SIZE }) {
  if (!focus || focus === "all" || hidden < 1) return null;
  const units = Array.from({ length: hidden }, (_, unit) => unit);
  const count = Math.min(size, hidden);
  let order;
  if (focus === "around") {
    const first = Math.max(0, Math.min(selected - Math.floor(count / 2), hidden - count));
    order = units.slice(first, first + count);
  } else if (focus === "labelled") {
    const named = [...new Set(labelled)].filter((unit) => unit < hidden);
    order = [...named, ...units.filter((unit) => !named.includes(unit))];
  } else if (focus === "active" && step) {
    order = byScore(units, (unit) => Math.abs(step.h[unit]));
  } else if (focus === "changed" && step) {
    order = byScore(units, (unit) => Math.abs(step.carried[unit] - step.carriedBefore[unit]));
  } else {
    order = units;  // (no step yet to rank by)
  }
  const shown = order.slice(0, count);
  if (!shown.includes(selected) && selected < hidden) shown[count - 1] = selected;
  return shown;
}
