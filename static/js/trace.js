// The trace being shown: meta, the steps received so far, and the current time step.
// Views subscribe and redraw; nothing here touches the DOM.
import { unitValue } from "./vectors.js";

export class Trace {
  constructor() {
    this.meta = null;
    this.steps = [];
    this.t = -1;           // the step shown; -1 before the first
    this.follow = true;    // move to each new step as it arrives (live typing)
    this.layer = 0;        // which layer's record the diagram shows (bottom = 0)
    this.unit = 0;         // the selected unit, highlighted everywhere
    this.stage = 0;        // the walk-through's stage (its steps are the cell's own)
    this.listeners = new Set();
  }

  subscribe(listener) {
    this.listeners.add(listener);
  }

  emit(change) {
    for (const listener of this.listeners) listener(change, this);
  }

  reset(meta) {
    this.meta = meta;
    this.steps = [];
    this.t = -1;
    this.follow = true;
    this.layer = meta.layers - 1;  // the top layer, whose record is also at a step's top level
    this.unit = Math.min(this.unit, meta.hidden_size - 1);
    this.emit("reset");
  }

  add(step) {
    this.steps.push(step);
    if (this.follow) this.t = this.steps.length - 1;
    this.emit("step");
  }

  seek(t) {
    if (!this.steps.length) return;
    this.t = Math.max(0, Math.min(t, this.steps.length - 1));
    this.follow = this.t === this.steps.length - 1;
    this.emit("seek");
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
    this.unit = Math.max(0, Math.min(unit, this.meta.hidden_size - 1));
    this.emit("unit");
  }

  setStage(stage) {
    this.stage = stage;
    this.emit("stage");
  }

  // The values of one vector of the shown layer over the whole trace: gates or states.
  series(name, unit) {
    return this.steps.map((_, t) => unitValue(this.record(t), name, unit));
  }

  setLayer(layer) {
    this.layer = Math.max(0, Math.min(layer, this.meta.layers - 1));
    this.emit("layer");
  }

  // The input vector x_t the shown layer reads: the embedding for layer 0, else h of the layer below.
  input(t) {
    const step = this.steps[t];
    if (!step) return null;
    if (this.layer > 0) return step.layers[this.layer - 1].h;
    return step.x ?? null;
  }
}
