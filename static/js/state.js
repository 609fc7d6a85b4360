// The whole view as one table of properties that reads and writes the URL (as
// TensorFlow Playground does), so any view is a link that reproduces it. The names,
// bounds and defaults come from the UI contract the server puts in the page (app/ui.py);
// only values that differ from a base (the defaults, or a lesson's view) are written.
//
// A property whose value is null means "the page's own choice" (follow the newest step,
// the top layer, the cell's usual vector). Written against a base that sets it, null is
// written as an empty value (`t=`), so a lesson link can say "back to the default".

const int = (min, max) => ({
  parse: (text) => {
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min && n <= max ? n : undefined;
  },
  format: String,
});
const bool = { parse: (text) => ({ 1: true, true: true, 0: false, false: false })[text], format: (v) => (v ? "1" : "0") };
const list = (allowed) => ({
  parse: (text) => [...new Set(text.split(",").filter((item) => allowed.includes(item)))],
  format: (items) => items.join(","),
  same: (a, b) => a.length === b.length && a.every((item) => b.includes(item)),  // in any order
});
const text = (maxLength) => ({ parse: (value) => value.slice(0, maxLength), format: String });
const name = { parse: (value) => (/^[a-z0-9_-]{1,32}$/.test(value) ? value : undefined), format: String };
const oneOf = (values) => ({ parse: (value) => (values.includes(value) ? value : undefined), format: String });

// What-if interventions as compact JSON; anything not shaped like them is dropped (the
// server checks the rest: a unit or vector this model lacks is its error to name).
const interventions = (most) => ({
  parse: (value) => {
    try {
      const data = JSON.parse(value);
      const clamps = (data?.clamps ?? []).filter((c) => typeof c?.vector === "string" && Number.isFinite(c.value));
      const weights = (data?.weights ?? []).filter((w) => typeof w?.matrix === "string" && Number.isFinite(w.value));
      return { clamps: clamps.slice(0, most), weights: weights.slice(0, most) };
    } catch {
      return undefined;
    }
  },
  format: (value) => JSON.stringify(value),
});

export const NO_INTERVENTIONS = Object.freeze({ clamps: Object.freeze([]), weights: Object.freeze([]) });
export const anyInterventions = (whatif) => whatif.clamps.length > 0 || whatif.weights.length > 0;

// name: [codec, default], from the contract. Every name is a URL parameter, the same on / and /embed.
export function propertyTable(contract) {
  const { limits, defaults } = contract;
  const [slowest, fastest] = [limits.speed[1], limits.speed[0]];
  return {
    lesson: [name, null],            // a lesson (lessons.js): its properties, under the ones the URL gives
    walk: [int(1, 99), null],        // a beat of the guided walk (walk.js), from 1: its view, the same way
    model: [text(limits.model_name), defaults.model],
    compare: [text(limits.model_name), null],  // the Compare panel's model; null: one picked to contrast
    whatif: [interventions(limits.interventions), NO_INTERVENTIONS],
    text: [text(limits.text), ""],
    t: [int(0, limits.t), null],     // null: follow the newest step
    unit: [int(0, limits.unit), 0],
    vector: [name, null],            // what units over text colour by (c, h, tanh_c, a gate); null: C, else h
    layer: [int(0, limits.layer), null],  // null: the top layer
    stage: [int(0, 4), null],        // the walk-through's stage (a cell has up to five, app/cells); null: none chosen (the whole diagram lit)
    focus: [oneOf(contract.focuses), contract.focuses[0]],  // which units the strips show (focus.js)
    panels: [list(contract.panels.map((p) => p.name)), defaults.panels],
    hide: [list(contract.hideable), []],
    speed: [int(fastest, slowest), defaults.speed],  // milliseconds per step when playing
    autoplay: [bool, false],
    loop: [bool, false],
    theme: [oneOf(contract.themes), defaults.theme],
    lang: [oneOf(contract.languages), null],  // null: the browser's language
  };
}

export function defaults(table) {
  return Object.fromEntries(Object.entries(table).map(([key, [, value]]) => [key, value]));
}

// Values from a query string over `base`; anything malformed or unknown is ignored, never
// executed. An empty value sets a property that may be null back to null.
export function readState(search, table, base = defaults(table)) {
  const state = { ...base };
  const params = new URLSearchParams(search);
  for (const [key, [codec, fallback]] of Object.entries(table)) {
    if (!params.has(key)) continue;
    const raw = params.get(key);
    const value = raw === "" && fallback === null ? null : codec.parse(raw);
    if (value !== undefined) state[key] = value;
  }
  return state;
}

// Whether two values of a property are the same view.
export function same(table, key, a, b) {
  const [codec] = table[key];
  if (a === null || b === null || a === undefined || b === undefined) return (a ?? null) === (b ?? null);
  return codec.same ? codec.same(a, b) : JSON.stringify(a) === JSON.stringify(b);
}

// The query for `state`, writing only what differs from `base`.
export function writeState(state, table, base = defaults(table)) {
  const params = new URLSearchParams();
  for (const [key, [codec]] of Object.entries(table)) {
    const value = state[key] ?? null;
    if (same(table, key, value, base[key] ?? null)) continue;
    params.set(key, value === null ? "" : codec.format(value));
  }
  return params.toString();
}
