// store.js: one state, its subscribers told what changed, the address written from it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { defaults, propertyTable, readState } from "../../static/js/state.js";
import { Store } from "../../static/js/store.js";
import { Trace } from "../../static/js/trace.js";
import { fakeClock } from "./clock.mjs";
import { loadContract } from "./contract.mjs";

const table = propertyTable(loadContract());

test("subscribers hear only the properties that changed", () => {
  const store = new Store(table, defaults(table), defaults(table));
  const heard = [];
  store.subscribe((changed) => heard.push([...changed].sort()));
  store.set({ unit: 3, t: null, panels: [...store.state.panels].reverse() });  // t and panels as they were
  store.set({ unit: 3 });
  store.set({ unit: 4, stage: 2 });
  assert.deepEqual(heard, [["unit"], ["stage", "unit"]]);
  assert.throws(() => store.set({ colour: "red" }), /no property colour/);
});

test("serialize writes the view against the base, with overrides for a shared copy", () => {
  const base = readState("model=counter&text=((&unit=1", table);
  const store = new Store(table, { ...base, lesson: "counter" }, base);
  assert.equal(store.serialize(), "lesson=counter");
  store.set({ unit: 2 });
  assert.equal(store.serialize({ theme: "dark" }), "lesson=counter&unit=2&theme=dark");
  assert.equal(store.state.theme, "light");  // the overrides are not the page's
});

test("the address follows the store, once changes settle", (t) => {
  const clock = fakeClock();
  t.after(clock.restore);
  const store = new Store(table, defaults(table), defaults(table));
  const written = [];
  store.writeAddress({ state: null, replaceState: (_, __, url) => written.push(url) }, { pathname: "/gatescope/" }, 200);
  for (let unit = 1; unit <= 60; unit++) store.set({ unit });  // a drag: sixty changes
  clock.advance(199);
  assert.deepEqual(written, []);
  clock.advance(1);
  assert.deepEqual(written, ["/gatescope/?unit=60"]);
  store.set({ unit: 0 });
  clock.advance(200);
  assert.deepEqual(written.at(-1), "/gatescope/");
});

test("the trace reads where it stands from the store, clamped to what it holds", () => {
  const store = new Store(table, { ...defaults(table), t: 4, unit: 9, layer: 5 }, defaults(table));
  const trace = new Trace(store);
  const changes = [];
  trace.subscribe((change) => changes.push(change));
  trace.reset({ hidden_size: 4, layers: 2, states: ["c", "h"] });
  assert.equal(store.state.unit, 3);  // a unit the model has
  assert.equal(trace.layer, 1);       // the top layer, the one asked for being past it
  assert.equal(trace.t, -1);
  for (let k = 0; k < 3; k++) trace.add({ t: k });
  assert.equal(trace.t, 2);           // the link's t = 4 is not there yet: the newest
  for (let k = 3; k < 7; k++) trace.add({ t: k });
  assert.equal(trace.t, 4);           // and then it stays there
  trace.seek(6);                      // the last step: follow the newest again
  assert.equal(store.state.t, null);
  trace.add({ t: 7 });
  assert.equal(trace.t, 7);
  store.set({ stage: 2 });            // whoever sets the store moves the views
  assert.deepEqual(changes.slice(-4), ["step", "seek", "step", "stage"]);
});
