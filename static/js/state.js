// The whole view as one table of properties that reads and writes the URL (as
// TensorFlow Playground does), so any view is a link that reproduces it. Defaults live
// here and only values that differ from them are written.
import { PLAY_INTERVAL_MS } from "./config.js";

const int = (min, max) => ({
  parse: (text) => {
    const n = Number.parseInt(text, 10);
    return Number.isFinite(n) && n >= min && n <= max ? n : undefined;
  },
  format: String,
});
const bool = { parse: (text) => ({ 1: true, true: true, 0: false, false: false })[text], format: (v) => (v ? "1" : "0") };
const list = (allowed) => ({
  parse: (text) => text.split(",").filter((item) => !allowed || allowed.includes(item)),
  format: (items) => items.join(","),
});
const text = (maxLength) => ({ parse: (value) => value.slice(0, maxLength), format: String });
const name = { parse: (value) => (/^[a-z0-9_-]{1,32}$/.test(value) ? value : undefined), format: String };
const oneOf = (...values) => ({ parse: (value) => (values.includes(value) ? value : undefined), format: String });

export const PANELS = [
  "walkthrough", "chain", "predictions", "unit-text", "inspector", "saturation", "heatmap", "compare", "gradients",
  "whatif",
];

// What-if interventions as compact JSON; anything not shaped like them is dropped.
const interventions = {
  parse: (value) => {
    try {
      const data = JSON.parse(value);
      const clamps = (data.clamps ?? []).filter((c) => typeof c?.vector === "string" && Number.isFinite(c.value));
      const weights = (data.weights ?? []).filter((w) => typeof w?.matrix === "string" && Number.isFinite(w.value));
      return { clamps: clamps.slice(0, 32), weights: weights.slice(0, 32) };
    } catch {
      return undefined;
    }
  },
  format: (value) => JSON.stringify(value),
};
export const HIDEABLE = ["header", "input", "examples", "model", "controls", "tokens", "panel-bar", "legend", "lessons"];

// name: [codec, default]. `panels` null means the page's own defaults.
export const PROPERTIES = {
  lesson: [name, null],            // a lesson (lessons.js): its properties, under the ones the URL gives
  model: [text(64), null],
  compare: [text(64), null],       // the second model of the side-by-side view
  whatif: [interventions, { clamps: [], weights: [] }],
  text: [text(5000), ""],
  t: [int(0, 1e6), null],          // null: follow the newest step
  unit: [int(0, 1e5), 0],
  vector: [name, null],            // what units over text colour by (c, h, tanh_c, a gate); null: C, else h
  layer: [int(0, 64), null],       // null: the top layer
  stage: [int(0, 7), 0],           // the walk-through's step (a cell has up to five: app/cells)
  panels: [list(PANELS), null],
  hide: [list(HIDEABLE), []],
  speed: [int(50, 5000), PLAY_INTERVAL_MS],  // milliseconds per step when playing
  autoplay: [bool, false],
  loop: [bool, false],
  theme: [oneOf("light", "dark"), "light"],
  lang: [oneOf("en", "zh"), null], // null: the browser's language
};

export function defaults() {
  return Object.fromEntries(Object.entries(PROPERTIES).map(([name, [, value]]) => [name, value]));
}

// Values from a query string; anything malformed or unknown is ignored, never executed.
export function readState(search) {
  const state = defaults();
  const params = new URLSearchParams(search);
  for (const [name, [codec]] of Object.entries(PROPERTIES)) {
    if (!params.has(name)) continue;
    const value = codec.parse(params.get(name));
    if (value !== undefined) state[name] = value;
  }
  return state;
}

// The query for `state`, writing only what differs from `base` (a lesson's view, or the defaults).
// A null value (the default: follow the newest step, the cell's own vector) is never
// written, so where the state is back at null but the base sets the property (a lesson's
// t = 15), the query is written against the defaults instead, without the base's lesson.
export function writeState(state, base = defaults()) {
  if (Object.keys(PROPERTIES).some((name) => state[name] == null && base[name] != null)) {
    state = { ...state, lesson: null };
    base = defaults();
  }
  const params = new URLSearchParams();
  for (const [name, [codec]] of Object.entries(PROPERTIES)) {
    const value = state[name];
    if (value === null || value === undefined) continue;
    if (JSON.stringify(value) === JSON.stringify(base[name])) continue;
    params.set(name, codec.format(value));
  }
  return params.toString();
}
