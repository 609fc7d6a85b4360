// The page's state, as TensorFlow Playground keeps it: one object built from the property
// table (state.js) that views read and subscribe to. Nothing else holds a copy of a
// property; whatever changes one (a click, a key, a host page's message, the stream)
// sets it here, and every subscriber hears which properties changed. It alone writes the
// page's address. Nothing here touches the DOM.
import { same, writeState } from "./state.js";

export class Store {
  // table: state.js's property table; state: the view to start from; base: the view the
  // address is written against (a lesson's, or the defaults)
  constructor(table, state, base) {
    this.table = table;
    this.state = { ...state };
    this.base = base;
    this.listeners = new Set();
  }

  subscribe(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Set some properties; subscribers hear the names of those that changed (a Set).
  set(changes) {
    const changed = new Set();
    for (const [key, value] of Object.entries(changes)) {
      if (!Object.hasOwn(this.table, key)) throw new Error(`no property ${key}`);
      if (same(this.table, key, this.state[key], value)) continue;
      this.state[key] = value;
      changed.add(key);
    }
    if (changed.size) for (const listener of [...this.listeners]) listener(changed, this.state);
    return changed;
  }

  // Open another view, its address written against `base` (a beat of the walk, or the
  // defaults when the walk is left).
  reopen(state, base) {
    this.base = base;
    return this.set(state);
  }

  // The query string of the view, with `overrides` over it (the Share dialog's choices).
  serialize(overrides = {}) {
    return writeState({ ...this.state, ...overrides }, this.table, this.base);
  }

  // Keep `history`'s address the query of the view, `delay` ms after the last change
  // (a drag of the slider writes once, not sixty times a second).
  writeAddress(history, location, delay = 200) {
    let timer = null;
    this.subscribe(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const query = this.serialize();
        history.replaceState(history.state, "", `${location.pathname}${query ? `?${query}` : ""}`);
      }, delay);
    });
  }
}
