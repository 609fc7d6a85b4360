// A clock the test moves by hand: setTimeout and clearTimeout are replaced until restore().
// (Node's own mock timers need Node 20.4; Debian's Node 18 runs these tests too.)
export function fakeClock() {
  const clock = { now: 0, timers: new Map(), next: 1 };
  const saved = [globalThis.setTimeout, globalThis.clearTimeout];
  globalThis.setTimeout = (fn, ms = 0) => {
    clock.timers.set(clock.next, [clock.now + ms, fn]);
    return clock.next++;
  };
  globalThis.clearTimeout = (id) => clock.timers.delete(id);
  return {
    now: () => clock.now,
    advance(ms) {
      const until = clock.now + ms;
      for (;;) {
        const due = [...clock.timers].filter(([, [at]]) => at <= until).sort((a, b) => a[1][0] - b[1][0])[0];
        if (!due) break;
        clock.timers.delete(due[0]);
        clock.now = due[1][0];
        due[1][1]();
      }
      clock.now = until;
    },
    restore() {
      [globalThis.setTimeout, globalThis.clearTimeout] = saved;
    },
  };
}
