// Play, pause, step back and forward, and a slider through time. How fast it plays and
// whether it starts again at the end are the store's `speed` and `loop`.
import { t } from "./i18n/index.js";

export class Player {
  constructor(elements, trace, store) {
    this.el = elements;  // { play, back, forward, slider, position }
    this.trace = trace;
    this.store = store;
    this.timer = null;
    this.autoplay = store.state.autoplay;  // play once the first trace is in
    elements.play.addEventListener("click", () => (this.timer ? this.pause() : this.play()));
    elements.back.addEventListener("click", () => this.stepBy(-1));
    elements.forward.addEventListener("click", () => this.stepBy(1));
    elements.slider.addEventListener("input", () => {
      this.pause();
      trace.seek(Number(elements.slider.value));
    });
  }

  // A trace is in: a link that asks to autoplay starts playing, once.
  traceDone() {
    if (!this.autoplay) return;
    this.autoplay = false;
    this.play();
  }

  stepBy(delta) {
    this.pause();
    this.trace.seek(this.trace.t + delta);
  }

  play() {
    const { trace } = this;
    if (!trace.steps.length) return;
    if (trace.t >= trace.steps.length - 1) trace.seek(0);
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (trace.t < trace.steps.length - 1) trace.seek(trace.t + 1);
      else if (this.store.state.loop) trace.seek(0);
      else this.pause();
    }, this.store.state.speed);  // milliseconds per step
    this.render();
  }

  pause() {
    if (!this.timer) return;  // (a redraw here would reset the slider under a dragging hand)
    clearInterval(this.timer);
    this.timer = null;
    this.render();
  }

  render() {
    const { steps, t: now } = this.trace;
    const { play, back, forward, slider, position } = this.el;
    slider.max = Math.max(steps.length - 1, 0);
    slider.value = Math.max(now, 0);
    slider.disabled = steps.length === 0;
    back.disabled = now <= 0;
    forward.disabled = now >= steps.length - 1;
    play.disabled = steps.length === 0;
    play.textContent = t(this.timer ? "pause" : "play");
    play.setAttribute("aria-pressed", String(Boolean(this.timer)));
    position.textContent = steps.length ? t("position", { t: now, last: steps.length - 1 }) : t("no_steps");
  }
}
