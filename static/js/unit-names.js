// What the model's training found its units track (Karpathy et al. 2015: meta's `units`,
// each a unit, its layer and a feature), by unit, in the page's language: the names the
// inside-a-layer view gives h_{t-1}[j] and the focus row gives the strips' units.
import { localized } from "./i18n/index.js";

// unit -> its features, strongest label first (|r|), each named once, for layer `layer`.
export function unitFeatures(meta, layer) {
  const byUnit = new Map();
  const labels = [...(meta?.units ?? [])].filter((u) => (u.layer ?? 0) === layer)
    .sort((a, b) => Math.abs(b.r ?? 0) - Math.abs(a.r ?? 0));
  for (const label of labels) {
    const names = byUnit.get(label.unit) ?? [];
    const name = localized(label, "feature");
    if (name && !names.includes(name)) names.push(name);
    byUnit.set(label.unit, names);
  }
  return byUnit;
}

// "inside a string, bracket depth", or "" for a unit no label names.
export function unitName(features, unit) {
  return (features.get(unit) ?? []).join(", ");
}
