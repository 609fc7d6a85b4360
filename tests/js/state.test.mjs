// state.js: the view's properties, read from and written to a query string.
import assert from "node:assert/strict";
import { test } from "node:test";

import { defaults, propertyTable, readState, writeState } from "../../static/js/state.js";
import { loadContract } from "./contract.mjs";

const contract = loadContract();
const table = propertyTable(contract);

test("every property defaults to the contract's defaults", () => {
  const state = defaults(table);
  assert.equal(state.model, contract.defaults.model);
  assert.deepEqual(state.panels, contract.defaults.panels);
  assert.equal(state.speed, contract.defaults.speed);
  assert.equal(state.theme, contract.defaults.theme);
  assert.equal(writeState(state, table), "");  // nothing differs: nothing written
});

test("a view written and read again is the same view", () => {
  const view = {
    ...defaults(table), model: "counter", text: "(()) & = ?", t: 3, unit: 2, stage: 1, layer: 0, vector: "tanh_c",
    panels: ["chain", "whatif"], hide: ["header", "panel-bar"], speed: 200, autoplay: true, loop: true,
    theme: "dark", lang: "zh", focus: "active", whatif: { clamps: [{ vector: "f", value: 1, unit: 2, start: 0 }], weights: [] },
  };
  assert.deepEqual(readState(writeState(view, table), table), view);
});

test("malformed or unknown values fall back to the defaults, never run", () => {
  const state = readState("t=-3&unit=x&stage=9&panels=bogus,chain,chain&theme=<b>&speed=1e99&lang=fr&nope=1", table);
  const fallback = defaults(table);
  assert.equal(state.t, fallback.t);
  assert.equal(state.unit, fallback.unit);
  assert.equal(state.stage, fallback.stage);
  assert.deepEqual(state.panels, ["chain"]);  // the known ones, once
  assert.equal(state.theme, fallback.theme);
  assert.equal(state.speed, fallback.speed);
  assert.equal(state.lang, null);
  assert.ok(!("nope" in state));
  assert.deepEqual(readState("whatif={bad json", table).whatif, fallback.whatif);
  assert.equal(readState(`text=${"a".repeat(contract.limits.text + 10)}`, table).text.length, contract.limits.text);
  const many = Array.from({ length: 100 }, () => ({ vector: "f", value: 1 }));
  assert.equal(readState(`whatif=${JSON.stringify({ clamps: many })}`, table).whatif.clamps.length,
    contract.limits.interventions);
});

test("panels are a set: the same panels in another order are the default", () => {
  const shuffled = { ...defaults(table), panels: [...contract.defaults.panels].reverse() };
  assert.equal(writeState(shuffled, table), "");
});

test("only what differs from the base is written; null against a base that sets it is an empty value", () => {
  const base = readState("model=agreement&text=the%20queen&t=15&stage=0&unit=4", table);
  const state = { ...base, lesson: "agreement", unit: 5, t: null };
  const query = new URLSearchParams(writeState(state, table, base));
  assert.deepEqual([...query], [["lesson", "agreement"], ["t", ""], ["unit", "5"]]);
  assert.deepEqual(readState(query.toString(), table, base), state);  // read over the lesson: the same view
});
