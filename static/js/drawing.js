// Drawing the page: at most once per animation frame, whatever changed since the last
// one. Views redraw only while shown; one hidden while the trace changed starts again
// when it is shown.
//
// Charts (plotly: a redraw of a long trace takes longer than a frame) redraw once steps
// pause, or at most this often while they keep coming; the last state is always drawn.
// Moving through time only moves their cursor.
const CHART_QUIET_MS = 200;
const CHART_MAX_WAIT_MS = 2000;

// What the views are told: a reset or a layer change outweighs the rest (views start
// again); a single change is passed on as it is.
function summarise(changes) {
  for (const heaviest of ["reset", "layer"]) if (changes.has(heaviest)) return heaviest;
  return changes.size === 1 ? [...changes][0] : "many";
}

// Only the time step (or the walk-through's stage) moved, or a trace came in whole with
// its steps drawn already: charts move their cursor.
const onlyMoved = (changes) => [...changes].every((c) => c === "seek" || c === "stage" || c === "done");

export class Drawing {
  // always: views drawn every frame, in order, each with render(change); panels: the
  // Panels; views: {panel name: view}, drawn while their panel is shown; charts: the names
  // of those that are plotly charts; scrolled: views whose scrollToCurrent() reads layout
  // (each with the panel it needs, or null); onDrawn: called after each frame.
  constructor(trace, { always, panels, views, charts, scrolled, onDrawn = () => {} }) {
    this.trace = trace;
    this.always = always;
    this.panels = panels;
    this.views = views;
    this.charts = charts;
    this.scrolled = scrolled;
    this.onDrawn = onDrawn;
    this.pending = new Set();  // the changes not drawn yet
    this.stale = new Set();    // views that were hidden while the trace changed
    this.frameRequested = false;
    this.drawnAt = 0;          // when the last draw ended
    this.drawCost = 0;         // how long it took, its forced layout included (ms)
    this.chartsDrawnAt = 0;
    this.chartCost = 0;        // how long the charts took to draw last time (ms)
    this.chartTimer = null;
  }

  request(change) {
    this.pending.add(change);
    if (this.frameRequested) return;
    this.frameRequested = true;
    // While steps stream in, drawing takes at most half of the page's time: after a draw of
    // d ms the next waits until d ms have passed, so the steps' messages are read in between.
    const rest = change === "step" ? this.drawnAt + this.drawCost - performance.now() : 0;
    const draw = () => this.draw();
    if (rest > 0) setTimeout(() => requestAnimationFrame(draw), rest);
    else requestAnimationFrame(draw);
  }

  draw() {
    this.frameRequested = false;
    if (!this.pending.size || !this.trace.meta) return;
    const started = performance.now();
    const changes = new Set(this.pending);
    this.pending.clear();
    const change = summarise(changes);
    for (const view of this.always) view.render(change);
    const chartsMode = this.chartWork(changes);
    const chartsStarted = performance.now();
    const { stale } = this;
    for (const [name, view] of Object.entries(this.views)) {
      if (!this.panels.isVisible(name)) stale.add(name);
      else if (!this.charts.has(name)) view.render(stale.delete(name) ? "reset" : change);
      else if (stale.has(name) || chartsMode === "draw") view.render(stale.delete(name) ? "reset" : change);
      else if (chartsMode === "cursor") view.moveCursor(this.trace.t);
    }
    if (chartsMode === "draw") this.chartCost = performance.now() - chartsStarted;
    requestAnimationFrame(() => this.scrollToCurrent());
    this.drawnAt = performance.now();
    this.drawCost = this.drawnAt - started;
    this.onDrawn(changes);
  }

  // Scrolling to the current step reads layout. Done at the start of the next frame, before
  // anything is written, the layout it reads is the one the last frame made: nothing is laid
  // out twice.
  scrollToCurrent() {
    for (const [view, panel] of this.scrolled) if (!panel || this.panels.isVisible(panel)) view.scrollToCurrent();
  }

  // What the charts do this frame: "draw" (their data changed), "cursor" (only the time
  // step moved) or "wait" (steps are streaming in: drawn once they pause).
  chartWork(changes) {
    if (onlyMoved(changes)) return "cursor";
    const now = performance.now();
    const interval = Math.max(CHART_MAX_WAIT_MS, 4 * this.chartCost);  // (a chart of a long, wide trace is slow)
    if (changes.has("step") && changes.size === 1 && now - this.chartsDrawnAt < interval) {
      clearTimeout(this.chartTimer);
      this.chartTimer = setTimeout(() => this.request("charts"), CHART_QUIET_MS);
      return "wait";
    }
    clearTimeout(this.chartTimer);
    this.chartsDrawnAt = now;
    return "draw";
  }
}
