// walk.js and lessons.js: a beat of the guided walk is a link that opens its view, as a
// lesson's does; moving on writes the next beat's address; leaving keeps the view; a first
// visit opens the contract's trained model.
import assert from "node:assert/strict";
import { test } from "node:test";

import { startingPoint } from "../../static/js/lessons.js";
import { defaults, propertyTable, readState } from "../../static/js/state.js";
import { Store } from "../../static/js/store.js";
import { beatView, fill, revealed } from "../../static/js/walk.js";
import { loadContract } from "./contract.mjs";

const contract = loadContract();
const table = propertyTable(contract);
const beats = contract.walk;
const open = (search) => {
  const { state, base, first } = startingPoint(search, contract.lessons, table, { beats, home: contract.home });
  return Object.assign(new Store(table, state, base), { first });
};

// Every parameter of a query is one the page reads (none dropped as malformed or unknown).
function assertReadWhole(query, where) {
  for (const [key, raw] of new URLSearchParams(query)) {
    assert.ok(Object.hasOwn(table, key), `${where}: ${key} is no property`);
    const [codec, fallback] = table[key];
    assert.ok((raw === "" && fallback === null) || codec.parse(raw) !== undefined, `${where}: ${key}=${raw}`);
  }
}

test("the bundled models offer the whole walk, and each beat's view is read whole", () => {
  assert.ok(beats.length >= 9);
  for (const beat of beats) {
    assertReadWhole(beat.query, beat.id);
    if (beat.question) assertReadWhole(beat.question.reveal, `${beat.id} reveal`);
  }
});

test("?walk=k opens beat k's view, and its address is just the beat", () => {
  beats.forEach((beat, index) => {
    const store = open(`?walk=${index + 1}`);
    const own = readState(beat.query, table);
    for (const key of ["model", "compare", "text", "panels", "unit", "vector", "stage", "t"]) {
      assert.deepEqual(store.state[key], own[key], `${beat.id}: ${key}`);
    }
    assert.equal(store.state.walk, index + 1);
    assert.equal(store.serialize(), `walk=${index + 1}`, beat.id);
    assert.equal(store.first, false);
  });
});

test("a beat's address keeps what differs from it and reopens exactly that view", () => {
  const store = open("?walk=3&lang=zh");
  store.set({ t: 2, unit: 1, theme: "dark" });
  const again = open(`?${store.serialize()}`);
  assert.deepEqual(again.state, store.state);
  assert.equal(new URLSearchParams(store.serialize()).get("walk"), "3");
});

test("moving to the next beat opens its view, keeps the page's look, and writes its address", () => {
  const store = open("?walk=1&lang=zh&theme=dark");
  for (let k = 2; k <= beats.length; k += 1) {
    store.set({ unit: 1, t: 0 });  // the student moved about in the beat before
    const { state, base } = beatView(beats, k, table, store.state);
    store.reopen(state, base);
    assert.equal(store.serialize(), `walk=${k}&theme=dark&lang=zh`);
    assert.deepEqual(open(`?${store.serialize()}`).state, store.state, beats[k - 1].id);
  }
});

test("answering a question reveals its view, written as a change to the beat", () => {
  const k = beats.findIndex((beat) => beat.id === "forget") + 1;
  const store = open(`?walk=${k}`);
  const beat = beats[k - 1];
  const before = store.state.t;
  store.set(revealed(beat, table, store.state));
  assert.notEqual(store.state.t, before);
  assert.equal(store.serialize(), `walk=${k}&${beat.question.reveal}`);
  for (const question of beats.filter((b) => b.question)) {
    const view = revealed(question, table, readState(question.query, table));
    assert.equal(view.model, readState(question.query, table).model, question.id);  // the same model, shown otherwise
  }
});

test("leaving the walk keeps the view, its address written against the defaults", () => {
  const store = open("?walk=7");
  const shown = { ...store.state };
  store.reopen({ ...store.state, walk: null }, defaults(table));
  const address = store.serialize();
  assert.ok(!new URLSearchParams(address).has("walk"));
  const again = open(`?${address}`);
  for (const key of ["model", "text", "t", "unit", "stage", "panels", "vector"]) assert.deepEqual(again.state[key], shown[key], key);
});

test("a link that names no view opens the first visit's trained model; any other link does not", () => {
  const home = readState(contract.home, table);
  for (const search of ["", "?lang=zh", "?theme=dark&lang=en"]) {
    const store = open(search);
    assert.ok(store.first, search);
    assert.equal(store.state.model, home.model);
    assert.equal(store.state.text, home.text);
    store.set({ unit: 2 });
    assert.deepEqual(open(`?${store.serialize()}`).state, store.state, search);  // its address reopens it
  }
  for (const search of ["?unit=2", "?lesson=no-such-lesson", "?walk=99"]) {
    const named = open(search);
    assert.equal(named.first, false, search);
    assert.equal(named.state.model, contract.defaults.model, search);
  }
  assert.notEqual(contract.defaults.model, readState(contract.home, table).model);
});

test("a beat not offered here is dropped, and the rest of the link still counts", () => {
  for (const walk of ["0", String(beats.length + 1), "x", "1.5", "-1"]) {
    const store = open(`?walk=${walk}&unit=2`);
    assert.equal(store.state.walk, null, walk);
    assert.equal(store.serialize(), "unit=2", walk);
  }
  assert.equal(open("?walk=2&lesson=counter").state.lesson, null);  // a beat wins over a lesson
});

test("fill puts values into a sentence and leaves unknown names", () => {
  assert.equal(fill("{k} of {n}", { k: 3, n: 10 }), "3 of 10");
  assert.equal(fill("第 {k} 步 {x}", { k: 1 }), "第 1 步 {x}");
});
