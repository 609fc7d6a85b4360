// lessons.js: a lesson link opens the lesson's view under the link's own properties, and
// the address written from it keeps the lesson and reopens exactly that view.
import assert from "node:assert/strict";
import { test } from "node:test";

import { chipLabel, exampleFor, startingPoint } from "../../static/js/lessons.js";
import { propertyTable, readState } from "../../static/js/state.js";
import { Store } from "../../static/js/store.js";
import { loadContract } from "./contract.mjs";

const contract = loadContract();
const table = propertyTable(contract);
const { lessons } = contract;
const open = (search) => {
  const { state, base } = startingPoint(search, lessons, table);
  return new Store(table, state, base);
};

test("the bundled models offer lessons to test", () => {
  assert.ok(lessons.some((l) => l.id === "french") && lessons.some((l) => l.id === "agreement"));
});

test("every lesson opens its own view, and its address is just the lesson", () => {
  for (const lesson of lessons) {
    const store = open(`?lesson=${lesson.id}`);
    const own = readState(lesson.query, table);
    for (const key of ["model", "compare", "text", "panels", "unit", "vector", "stage", "t", "layer"]) {
      assert.deepEqual(store.state[key], own[key], `${lesson.id}: ${key}`);
    }
    assert.equal(store.serialize(), `lesson=${lesson.id}`, lesson.id);
  }
});

test("a lesson's address keeps what differs from it, and reopens exactly what was shown", () => {
  for (const lesson of lessons) {
    const store = open(`?lesson=${lesson.id}`);
    store.set({ unit: store.state.unit + 1, t: 2, panels: ["chain"], lang: "zh", theme: "dark", vector: null, layer: null });
    const again = open(`?${store.serialize()}`);
    assert.deepEqual(again.state, store.state, lesson.id);
    assert.equal(new URLSearchParams(store.serialize()).get("lesson"), lesson.id);
    assert.ok(!new URLSearchParams(store.serialize()).has("text"), lesson.id);  // the lesson's own text
  }
});

test("a link's own properties win over the lesson's; a lesson not offered is dropped", () => {
  const store = open("?lesson=counter&text=((()&unit=1&panels=chain");
  assert.equal(store.state.model, "counter");
  assert.equal(store.state.text, "((()");
  assert.equal(store.state.unit, 1);
  assert.deepEqual(store.state.panels, ["chain"]);
  const unknown = open("?lesson=no-such-lesson&unit=2");
  assert.equal(unknown.state.lesson, null);
  assert.equal(unknown.state.model, contract.defaults.model);
  assert.equal(unknown.serialize(), "unit=2");
});

test("the Try chip offers each model a sentence of its own lesson, else the article's", () => {
  const fallback = "the clouds are in the sky";
  const code = lessons.find((l) => l.id === "code");
  assert.match(exampleFor("code", lessons, fallback), /^def /);  // code to the code model, not a sentence
  assert.match(exampleFor("poetry", lessons, fallback), /[\u4e00-\u9fff]/);  // verse to the verse model
  const french = lessons.find((l) => l.id === "french");
  assert.equal(exampleFor(french.compare, lessons, fallback), exampleFor(french.model, lessons, fallback));  // the partner
  assert.equal(exampleFor("no-such-model", lessons, fallback), fallback);
  assert.equal(exampleFor("code", lessons, fallback), new URLSearchParams(code.query).get("text"));
});

test("a chip's label is the text's first line, cut with an ellipsis", () => {
  assert.equal(chipLabel("the clouds are in the sky"), "the clouds are in the sky");
  assert.equal(chipLabel("def area(shape):\n    return 1"), "def area(shape):…");
  assert.equal(chipLabel("a".repeat(50), 40), `${"a".repeat(40)}…`);
});
