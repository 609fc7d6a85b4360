// Vectors the page derives from a step's record. tanh(C) is what the output gate
// filters (h_t = o_t * tanh(C_t), the article's step 4): where C grows past ±2 its raw
// value says little about h, so the page shows tanh(C) beside it.
import { VECTOR_LABELS } from "./config.js";
import { has, t } from "./i18n/index.js";
import { plainLabel } from "./text.js";

const DERIVED = {
  tanh_c: (record, unit) => (record.c ? Math.tanh(record.c[unit]) : null),
};

// The states a cell's units-over-text can colour by: its own, then tanh(C) for a cell with C.
export function colourableStates(meta) {
  return meta.states.includes("c") ? [...meta.states, "tanh_c"] : [...meta.states];
}

// One unit's value of a gate, a state or a derived vector at one step's record; null if none.
export function unitValue(record, name, unit) {
  if (name in DERIVED) return DERIVED[name](record, unit);
  return (record.gates?.[name] ?? record[name])?.[unit] ?? null;
}

// A vector's name as the diagram writes it ("C_t"), any words in it in the page's language.
export function vectorName(name) {
  const key = `vector_${name}`;
  return has(key) ? t(key) : VECTOR_LABELS[name] ?? name;
}

// The same in plain text: "Cₜ" for c, "tanh(Cₜ)" for tanh_c.
export function vectorLabel(name) {
  return plainLabel(vectorName(name));
}

// "tanh(C_t) = 0.9968" for a cell-state value (C_t or C_{t-1}), else "".
export function squashedNote(vector, value) {
  if (vector !== "c" && vector !== "c_prev") return "";
  return `tanh(${vectorLabel(vector)}) = ${Math.tanh(value).toFixed(4)}`;
}
