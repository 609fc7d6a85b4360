// The trace being shown: meta and the steps received so far. Where it stands — the time
// step, the selected unit, the walk-through's stage, the layer shown — is the page's
// store's (store.js): read here, clamped to this trace, and set there, so a link, a key or
// a host page's message moves every view alike. Views subscribe and redraw; nothing here
// touches the DOM.
import { unitValue } from "./vectors.js";

// Where a trace that is not the page's stands (the compared model's): its own, unheard.
class OwnView {
  constructor() {
    this.state = { t: null, unit: 0, stage: null, layer: null };
  }

  set(changes) {
    Object.assign(this.state, changes);
  }

  subscribe() {}
}

export class Trace {
  constructor(view = new OwnView()) {
    this.view = view;      // the store: t (null: follow the newest step), unit, stage, layer (null: the top)
    this.meta = null;
    this.steps = [];
    this.listeners = new Set();
    const changes = [["layer", "layer"], ["t", "seek"], ["unit", "unit"], ["stage", "stage"]];
    view.subscribe((changed) => {
      if (!this.meta) return;
      for (const [property, change] of changes) if (changed.has(property)) this.emit(change);
    });
  }

  subscribe(listener) {
    this.listeners.add(listener);
  }

  emit(change) {
    for (const listener of this.listeners) listener(change, this);
  }

  // The step shown; -1 before the first.
  get t() {
    const last = this.steps.length - 1;
    const wanted = this.view.state.t;
    return wanted === null ? last : Math.min(wanted, last);
  }

  // Moving to each new step as it arrives (live typing).
  get follow() {
    return this.view.state.t === null;
  }

  get unit() {
    const { unit } = this.view.state;
    return this.meta ? Math.min(unit, this.meta.hidden_size - 1) : unit;
  }

  get stage() {
    return this.view.state.stage ?? 0;
  }

  // Which layer's record the diagram shows (bottom = 0).
  get layer() {
    if (!this.meta) return 0;
    const top = this.meta.layers - 1;
    const wanted = this.view.state.layer;
    return wanted === null ? top : Math.min(wanted, top);
  }

  reset(meta) {
    this.meta = meta;
    this.steps = [];
    if (this.view.state.unit >= meta.hidden_size) this.view.set({ unit: meta.hidden_size - 1 });
    this.emit("reset");
  }

  add(step) {
    this.steps.push(step);
    this.emit("step");
  }

  // Show step t; the last step means following the newest. Before any step, where to go
  // once they come.
  seek(t) {
    const last = this.steps.length - 1;
    const to = Math.max(0, Math.min(t, last < 0 ? t : last));
    this.view.set({ t: to === last ? null : to });
  }

  get current() {
    return this.steps[this.t] ?? null;
  }

  // The record of the shown layer at step t: a step holds one per layer under
  // "layers" when there are several, else its own top-level fields are the record.
  record(t) {
    const step = this.steps[t];
    if (!step) return null;
    return step.layers ? step.layers[this.layer] : step;
  }

  // The state a step starts from (the "_prev" values): the previous step's, or zeros.
  previous(t) {
    const record = this.record(t - 1);
    const zeros = () => new Array(this.meta.hidden_size).fill(0);
    return Object.fromEntries(this.meta.states.map((name) => [name, record ? record[name] : zeros()]));
  }

  // The record of the layer below the shown one at step t (the depth gate reads its cell).
  below(t) {
    const step = this.steps[t];
    return step?.layers && this.layer > 0 ? step.layers[this.layer - 1] : null;
  }

  selectUnit(unit) {
    const most = this.meta ? this.meta.hidden_size - 1 : Infinity;
    this.view.set({ unit: Math.max(0, Math.min(unit, most)) });
  }

  setStage(stage) {
    this.view.set({ stage });
  }

  // The values of one vector of the shown layer over the whole trace: gates or states.
  series(name, unit) {
    return this.steps.map((_, t) => unitValue(this.record(t), name, unit));
  }

  setLayer(layer) {
    this.view.set({ layer: Math.max(0, Math.min(layer, this.meta.layers - 1)) });
  }

  // The input vector x_t the shown layer reads: the embedding for layer 0, else h of the layer below.
  input(t) {
    const step = this.steps[t];
    if (!step) return null;
    if (this.layer > 0) return step.layers[this.layer - 1].h;
    return step.x ?? null;
  }
}
