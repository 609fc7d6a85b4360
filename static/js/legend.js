// The colour keys (templates/_app.html, scale_keys): each key painted with its scale's ramp
// from the palette, and the belt's note shown only for a cell that has a belt.
import { cssRamp } from "./palette.js";

export function paintKeys(root) {
  for (const key of root.querySelectorAll(".key[data-scale]")) key.style.background = cssRamp(key.dataset.scale);
}

export function showBeltKeys(root, meta) {
  for (const note of root.querySelectorAll("[data-belt-key]")) note.hidden = !meta.states.includes("c");
}
