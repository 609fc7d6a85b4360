// focus.js: the units a focused strip shows.
import assert from "node:assert/strict";
import { test } from "node:test";

import { focusUnits } from "../../static/js/focus.js";

const hidden = 40;
const size = 6;

test("all units, in order, is no focus at all", () => {
  assert.equal(focusUnits("all", { hidden, selected: 3 }), null);
});

test("around the selected unit: a window of units in order, kept inside the layer", () => {
  assert.deepEqual(focusUnits("around", { hidden, selected: 20, size }), [17, 18, 19, 20, 21, 22]);
  assert.deepEqual(focusUnits("around", { hidden, selected: 1, size }), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(focusUnits("around", { hidden, selected: 39, size }), [34, 35, 36, 37, 38, 39]);
});

test("labelled first: the labels' units, strongest first, each once, then the rest in order", () => {
  assert.deepEqual(focusUnits("labelled", { hidden, selected: 0, labelled: [30, 7, 30, 12], size }), [30, 7, 12, 0, 1, 2]);
});

test("most active and most changed rank by |h_t| and by |s_t − s_{t−1}|, ties in unit order", () => {
  const h = Array.from({ length: hidden }, (_, u) => (u === 9 ? -0.9 : u === 4 ? 0.5 : u === 33 ? 0.5 : 0));
  const carried = Array.from({ length: hidden }, (_, u) => (u === 2 ? 3 : 1));
  const carriedBefore = Array.from({ length: hidden }, (_, u) => (u === 25 ? -1 : 1));
  const step = { h, carried, carriedBefore };
  assert.deepEqual(focusUnits("active", { hidden, selected: 9, step, size: 3 }), [9, 4, 33]);
  assert.deepEqual(focusUnits("changed", { hidden, selected: 25, step, size: 2 }), [2, 25]);
});

test("the selected unit is always shown, in the last place if the order leaves it out", () => {
  assert.deepEqual(focusUnits("labelled", { hidden, selected: 39, labelled: [5], size: 3 }), [5, 0, 39]);
});

test("a layer smaller than the focus is sorted whole", () => {
  assert.deepEqual(focusUnits("labelled", { hidden: 3, selected: 0, labelled: [2] }), [2, 0, 1]);
});
