// host.js: what a host page may send an embed, and what the embed tells it.
import assert from "node:assert/strict";
import { test } from "node:test";

import { HostLink, parseCommand } from "../../static/js/host.js";
import { fakeClock } from "./clock.mjs";
import { loadContract } from "./contract.mjs";

const { limits } = loadContract();

// A host link with a clock and timers the test moves by hand (until the test `t` ends).
function link(t) {
  const clock = fakeClock();
  t.after(clock.restore);
  const ran = [];
  const posted = [];
  const actions = Object.fromEntries(["set-text", "seek", "play", "pause", "select-unit"].map(
    (name) => [name, (fields) => ran.push([name, fields])]));
  const host = new HostLink(actions, { post: (m) => posted.push(m), limits, minTextInterval: 300, now: clock.now });
  return { host, ran, posted, advance: clock.advance };
}

test("commands are checked field by field", () => {
  assert.deepEqual(parseCommand({ type: "gatescope:seek", t: 3 }, limits), { type: "gatescope:seek", t: 3 });
  assert.equal(parseCommand({ type: "gatescope:seek", t: -1 }, limits), null);
  assert.equal(parseCommand({ type: "gatescope:seek", t: "3" }, limits), null);
  assert.equal(parseCommand({ type: "gatescope:set-text", text: 42 }, limits), null);
  assert.equal(parseCommand({ type: "gatescope:set-text", text: "a".repeat(limits.text + 1) }, limits), null);
  assert.equal(parseCommand({ type: "gatescope:eval", code: "1" }, limits), null);
  assert.equal(parseCommand({ type: "toString" }, limits), null);
  assert.equal(parseCommand("gatescope:play", limits), null);
  assert.equal(parseCommand(null, limits), null);
  assert.deepEqual(parseCommand({ type: "gatescope:set-text", text: "<b>", extra: 1 }, limits),
    { type: "gatescope:set-text", text: "<b>" });  // only the fields it knows are passed on
});

test("commands sent before the first trace is drawn wait for it, in order", (t) => {
  const { host, ran, posted } = link(t);
  host.receive({ type: "gatescope:set-text", text: "abc" });
  host.receive({ type: "gatescope:seek", t: 1 });
  host.receive({ type: "gatescope:select-unit", unit: 2 });
  host.drawn({ t: 0, unit: 0, stage: 0 });  // a frame of a trace still coming in
  assert.deepEqual(ran, []);
  assert.deepEqual(posted, []);
  host.traceDone();
  host.drawn({ t: 5, unit: 0, stage: 0 });
  assert.deepEqual(posted, [{ type: "gatescope:ready" }, { type: "gatescope:state", t: 5, unit: 0, stage: 0 }]);
  assert.deepEqual(ran, [["set-text", { text: "abc" }], ["seek", { t: 1 }], ["select-unit", { unit: 2 }]]);
});

test("the state is told when t, unit or stage change, once each", (t) => {
  const { host, posted } = link(t);
  host.traceDone();
  host.drawn({ t: 2, unit: 0, stage: 0 });
  host.drawn({ t: 2, unit: 0, stage: 0 });
  host.drawn({ t: 2, unit: 1, stage: 0 });
  host.drawn({ t: 2, unit: 1, stage: 3 });
  assert.deepEqual(posted.filter((m) => m.type === "gatescope:state").map(({ t, unit, stage }) => [t, unit, stage]),
    [[2, 0, 0], [2, 1, 0], [2, 1, 3]]);
});

test("a burst of set-text becomes a few traces, the latest text last", (t) => {
  const { host, ran, advance } = link(t);
  host.traceDone();
  host.drawn({ t: 0, unit: 0, stage: 0 });
  for (let k = 0; k < 3000; k++) {  // 3,000 messages over 1.5 s
    host.receive({ type: "gatescope:set-text", text: `text ${k}` });
    if (k % 2) advance(1);
  }
  advance(1000);
  const texts = ran.filter(([name]) => name === "set-text").map(([, { text }]) => text);
  assert.ok(texts.length <= Math.ceil(2500 / 300) + 1, `${texts.length} traces`);
  assert.equal(texts.at(-1), "text 2999");
});

test("a seek sent after a text waits for that text", (t) => {
  const { host, ran, advance } = link(t);
  host.traceDone();
  host.drawn({ t: 0, unit: 0, stage: 0 });
  host.receive({ type: "gatescope:set-text", text: "one" });
  host.receive({ type: "gatescope:set-text", text: "two" });  // too soon: it waits
  host.receive({ type: "gatescope:seek", t: 1 });
  assert.deepEqual(ran, [["set-text", { text: "one" }]]);
  advance(300);
  assert.deepEqual(ran.slice(1), [["set-text", { text: "two" }], ["seek", { t: 1 }]]);
});

test("a failed first trace is told, and the host's commands then run", (t) => {
  const { host, ran, posted } = link(t);
  host.receive({ type: "gatescope:set-text", text: "fixed" });
  host.traceFailed("bad whatif");
  assert.deepEqual(posted, [{ type: "gatescope:error", message: "bad whatif" }]);
  assert.deepEqual(ran, [["set-text", { text: "fixed" }]]);
});
