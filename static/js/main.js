// Wires the page together: a stream (live, or a recording) fills the trace; views redraw
// from the trace at most once per animation frame; the view's state lives in the URL.
import { Chain } from "./chain.js";
import { Comparison } from "./compare.js";
import { createDiagram } from "./diagram/index.js";
import { GradientFlow } from "./gradients.js";
import { Heatmap } from "./heatmap.js";
import { LagCurve } from "./lag-curve.js";
import { chooseLanguage, t, translatePage } from "./i18n/index.js";
import { connectHost } from "./host.js";
import { TextFeed } from "./input.js";
import { Inspector } from "./inspector.js";
import { startingPoint } from "./lessons.js";
import { modelOption, showModel } from "./models.js";
import { Panels } from "./panels.js";
import { Player } from "./player.js";
import { Predictions } from "./predictions.js";
import { Saturation } from "./saturation.js";
import { connectSharing } from "./share.js";
import { readState, writeState } from "./state.js";
import { RecordedStream, TraceStream } from "./stream.js";
import { plainLabel } from "./text.js";
import { TokenStrip } from "./tokens.js";
import { Tooltip } from "./tooltip.js";
import { Trace } from "./trace.js";
import { UnitText } from "./unit-text.js";
import { ValuesTable } from "./values-table.js";
import { Walkthrough } from "./walkthrough.js";
import { squashedNote, vectorLabel } from "./vectors.js";
import { WhatIf } from "./whatif.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const recordingElement = document.getElementById("gatescope-recording");
const recording = recordingElement ? JSON.parse(recordingElement.textContent) : null;
if (recording) {  // a recording has no server to compute with
  for (const element of document.querySelectorAll("[data-live-only]")) element.remove();
}
const start = startingPoint(recording ? recording.query : location.search);  // a lesson's, under the link's own
const view = readState(start.query);  // what the link asks for
const STATUS_KEYS = { connecting: "connecting", closed: "disconnected", idle: "idle" };
chooseLanguage(view.lang);
translatePage();

const trace = new Trace();
trace.unit = view.unit;
trace.stage = view.stage;
const diagramContainer = $("diagram-container");
const unitInput = $("unit-input");
let diagram = null;
let diagramKey = "";

const tokens = new TokenStrip($("tokens"), trace);
const valuesTable = new ValuesTable($("values-table"), trace);
$("values-table").closest("details").addEventListener("toggle", () => redraw("values"));
const player = new Player({
  play: $("play"), back: $("step-back"), forward: $("step-forward"), slider: $("time-slider"), position: $("position"),
}, trace, { interval: view.speed, loop: view.loop });
const walkthrough = new Walkthrough($("walkthrough"), trace, () => diagram);
walkthrough.engaged = new URLSearchParams(start.query).has("stage");
const textBox = $("text-input");
const modelSelect = $("model-select");
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/trace`;
const comparison = recording ? null : new Comparison($("compare"), {
  textBox, mainTrace: trace, wsUrl, onChange: (change) => {
    redraw("compare");
    if (change === "compare") saveToUrl();
  },
});
// The gradient requests for what is shown: the main model and, when shown, the compared one.
const gradientRequests = () => [
  { model: modelSelect.value, text: textBox.value, layer: trace.layer },
  ...(comparison && panels.isVisible("compare") && comparison.model ? [{ model: comparison.model, text: textBox.value }] : []),
];
// Panels that can be hidden, by name; each redraws only while shown.
const views = {
  predictions: new Predictions($("predictions"), trace),
  chain: new Chain($("chain"), trace),
  "unit-text": new UnitText($("unit-text"), $("unit-vector"), trace, view.vector),
  inspector: new Inspector($("inspector"), trace),
  saturation: new Saturation($("saturation"), trace),
  heatmap: new Heatmap($("heatmap"), trace),
  ...(recording ? {} : { gradients: new GradientFlow($("gradients"), $("gradients-note"), trace, gradientRequests) }),
};
let summaries = new Map();  // model name -> its /api/models entry
const lagCurve = recording ? null : new LagCurve($("lag-curve"),
  () => [summaries.get(modelSelect.value), summaries.get(comparison?.model)]);
const whatif = recording ? null : new WhatIf($("whatif"), trace, (interventions) => {
  useInterventions(interventions);
  resumeAt = trace.t >= 0 ? trace.t : null;
  feed.restart(modelSelect.value, modelSelect.selectedOptions[0]?.dataset.tokenizer);
  saveToUrl();
});
const stale = new Set();  // views that were hidden while the trace changed
// Charts (plotly: a redraw of a long trace takes longer than a frame) redraw once steps
// pause, or at most this often while they keep coming; the last state is always drawn.
// Moving through time only moves their cursor.
const CHARTS = new Set(["inspector", "saturation", "heatmap", "gradients"]);
const CHART_QUIET_MS = 200;
const CHART_MAX_WAIT_MS = 2000;
let chartsDrawnAt = 0;
let chartCost = 0;  // how long the charts took to draw last time (ms)
let chartTimer = null;
const panels = new Panels(document, (name, visible) => {
  redraw(visible && stale.has(name) ? "reset" : "panels");
  saveToUrl();
}, view.panels);
const tooltip = new Tooltip($("tooltip"));
const status = $("status");

for (const name of view.hide) {
  for (const element of document.querySelectorAll(`[data-hideable~="${name}"]`)) element.hidden = true;
}
document.documentElement.dataset.theme = view.theme;

// --- drawing: at most once per animation frame, whatever changed since the last one ---
const pending = new Set();  // the changes not drawn yet
let frameRequested = false;
trace.subscribe((change) => {
  redraw(change);
  if (change !== "step") saveToUrl();
});

let drawnAt = 0;   // when the last draw ended
let drawCost = 0;  // how long it took, its forced layout included (ms)

function redraw(change) {
  pending.add(change);
  if (frameRequested) return;
  frameRequested = true;
  // While steps stream in, drawing takes at most half of the page's time: after a draw of
  // d ms the next waits until d ms have passed, so the steps' messages are read in between.
  const rest = change === "step" ? drawnAt + drawCost - performance.now() : 0;
  if (rest > 0) setTimeout(() => requestAnimationFrame(draw), rest);
  else requestAnimationFrame(draw);
}

// What the views are told: a reset or a layer change outweighs the rest (views start
// again); a single change is passed on as it is.
function summarise(changes) {
  for (const heaviest of ["reset", "layer"]) if (changes.has(heaviest)) return heaviest;
  return changes.size === 1 ? [...changes][0] : "many";
}

// Only the time step (or the walk-through's stage) moved: charts move their cursor.
const onlyMoved = (changes) => [...changes].every((c) => c === "seek" || c === "stage");

function draw() {
  frameRequested = false;
  if (!pending.size || !trace.meta) return;
  const started = performance.now();
  const changes = new Set(pending);
  pending.clear();
  const change = summarise(changes);
  const t = trace.t;
  ensureDiagram();
  const record = trace.record(t);
  if (record) diagram.update(record, trace.previous(t), trace.input(t), trace.below(t));
  else diagram.clear();
  diagram.selectUnit(trace.unit);
  if (whatif) diagram.markHeld((name) => whatif.heldUnits(name, t));
  valuesTable.render(diagram.values);
  diagramContainer.dataset.t = String(t);
  unitInput.max = trace.meta.hidden_size - 1;
  unitInput.value = trace.unit;
  tokens.render(change);
  player.render();
  walkthrough.render(panels.isVisible("walkthrough"));
  comparison?.render(panels.isVisible("compare"));
  if (panels.isVisible("compare") && change !== "step") lagCurve?.render();
  const chartsMode = chartWork(changes);
  const chartsStarted = performance.now();
  for (const [name, panel] of Object.entries(views)) {
    if (!panels.isVisible(name)) stale.add(name);
    else if (!CHARTS.has(name)) panel.render(stale.delete(name) ? "reset" : change);
    else if (stale.has(name) || chartsMode === "draw") panel.render(stale.delete(name) ? "reset" : change);
    else if (chartsMode === "cursor") panel.moveCursor(t);
  }
  if (chartsMode === "draw") chartCost = performance.now() - chartsStarted;
  requestAnimationFrame(scrollToCurrent);
  drawnAt = performance.now();
  drawCost = drawnAt - started;
}

// Scrolling to the current step reads layout. Done at the start of the next frame, before
// anything is written, the layout it reads is the one the last frame made: nothing is laid
// out twice.
function scrollToCurrent() {
  tokens.scrollToCurrent();
  if (panels.isVisible("chain")) views.chain.scrollToCurrent();
}

// What the charts do this frame: "draw" (their data changed), "cursor" (only the time
// step moved) or "wait" (steps are streaming in: drawn once they pause).
function chartWork(changes) {
  if (onlyMoved(changes)) return "cursor";
  const now = performance.now();
  const interval = Math.max(CHART_MAX_WAIT_MS, 4 * chartCost);  // (a chart of a long, wide trace is slow)
  if (changes.has("step") && changes.size === 1 && now - chartsDrawnAt < interval) {
    clearTimeout(chartTimer);
    chartTimer = setTimeout(() => redraw("charts"), CHART_QUIET_MS);
    return "wait";
  }
  clearTimeout(chartTimer);
  chartsDrawnAt = now;
  return "draw";
}

// A diagram for the shown cell and layer, made again only when either changes.
function ensureDiagram() {
  const { meta, layer } = trace;
  const key = JSON.stringify([meta.cell, layer, meta.cell_options ?? {}, meta.hidden_size]);
  if (key === diagramKey) return;
  diagram?.remove();
  diagram = createDiagram(diagramContainer, meta, layer);
  diagramKey = key;
}

// --- the URL: every change of view is written back, so the address is always a link to it ---
function currentQuery() {
  return writeState({
    ...view,
    model: modelSelect.value || view.model,
    text: textBox.value,
    t: trace.follow ? null : trace.t,
    unit: trace.unit,
    // Against a lesson that names a layer or vector, the one shown (the default may not be
    // the lesson's); otherwise null for the default, which the address leaves out.
    layer: trace.meta && (start.base.layer != null || trace.layer !== trace.meta.layers - 1) ? trace.layer : null,
    stage: trace.stage,
    vector: start.base.vector != null ? views["unit-text"].shownVector : views["unit-text"].chosenVector,
    // the lesson's own panels when those are shown: null would read as "back at the default" and drop the lesson
    panels: panels.shown(start.base.panels ?? undefined) ?? start.base.panels,
    compare: comparison && panels.isVisible("compare") ? comparison.model : view.compare,  // hidden: the model it picked itself is no choice to keep
    whatif: whatif?.interventions ?? view.whatif,
  }, start.base);
}

let urlTimer = null;
function saveToUrl() {
  if (recording) return;  // a file:// page has no address worth rewriting
  clearTimeout(urlTimer);
  urlTimer = setTimeout(() => {
    const query = currentQuery();
    history.replaceState(null, "", `${location.pathname}${query ? `?${query}` : ""}`);
  }, 200);
}

// --- numbers on hover; click a unit to select it everywhere (on either diagram) ---
function showNumbers(container, getDiagram) {
  container.addEventListener("pointermove", (event) => {
    const cell = event.target.closest("rect.unit");
    const values = getDiagram()?.values;
    if (!cell || !values) return tooltip.hide();
    const { vector, unit } = cell.dataset;
    const value = values[vector][unit];
    const label = `${vectorLabel(vector)}[${unit}] = ${value.toFixed(4)}`;
    const squashed = squashedNote(vector, value);
    tooltip.show(`${label}${squashed ? `\n${squashed}` : ""}\n${plainLabel(t(`role_${vector}`))}`, event.clientX, event.clientY);
  });
  container.addEventListener("pointerleave", () => tooltip.hide());
  container.addEventListener("click", (event) => {
    const cell = event.target.closest("rect.unit");
    if (cell) trace.selectUnit(Number(cell.dataset.unit));
  });
}
showNumbers(diagramContainer, () => diagram);
if (comparison) showNumbers(comparison.container, () => comparison.diagram);
$("unit-input").addEventListener("change", (event) => trace.selectUnit(Number(event.target.value)));
$("unit-vector").addEventListener("change", saveToUrl);
$("labelled-units").addEventListener("change", (event) => {
  if (!event.target.value) return;
  const [layer, unit, vector] = JSON.parse(event.target.value);
  if (layer !== trace.layer) trace.setLayer(layer);
  trace.selectUnit(unit);
  const unitVector = $("unit-vector");
  if ([...unitVector.options].some((o) => o.value === vector)) unitVector.value = vector;
  panels.set("unit-text", true);
});

// --- the stream ---
let resumeAt = view.t;          // a model switch, or a link, keeps the time position
let wantedLayer = view.layer;   // a link's layer, once its model's meta is known
let autoplay = view.autoplay;
const handlers = {
  meta: (meta) => {
    trace.reset(meta);
    if (wantedLayer !== null && wantedLayer < meta.layers) trace.layer = wantedLayer;
    wantedLayer = null;
    showModel(meta, $, trace.layer, { unit: trace.unit, vector: view.vector });
    whatif?.offer(meta);
    hideError();
  },
  step: (step) => trace.add(step),
  done: (done) => {
    status.textContent = t(recording ? "recording_of" : "steps_traced", { n: done.total });
    if (resumeAt !== null) {
      trace.seek(resumeAt);
      resumeAt = null;
    }
    if (autoplay) {
      autoplay = false;
      player.play();
    }
  },
  error: (error) => showError(error.message),
  status: (state) => {
    status.dataset.state = state;
    if (state !== "open") status.textContent = t(STATUS_KEYS[state]);
  },
  reopen: () => useSelectedModel(),  // a new connection holds no trace: start it again
};
const stream = recording ? new RecordedStream(recording.frames, handlers) : new TraceStream(wsUrl, handlers);
const feed = new TextFeed(textBox, stream);

// Every start carries the what-if interventions, so the server reads the text with them.
function useInterventions(interventions) {
  feed.extra = interventions.clamps.length || interventions.weights.length ? { whatif: interventions } : {};
}
if (whatif) {
  whatif.interventions = view.whatif;
  whatif.renderList();
  useInterventions(view.whatif);
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function hideError() {
  $("error").hidden = true;
}

// --- keyboard: outside the text box, arrows move through time (or, with the walk-through
// shown, through its four steps and on into the next token); space plays and pauses ---
document.addEventListener("keydown", (event) => {
  if (event.target.closest("textarea, input, select, dialog")) return;
  const walking = panels.isVisible("walkthrough") && walkthrough.applies && !event.shiftKey;
  if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    const delta = event.key === "ArrowLeft" ? -1 : 1;
    event.preventDefault();
    if (walking) walkthrough.move(delta);
    else player.stepBy(delta);
  } else if (event.key === " " && event.target === document.body) {
    event.preventDefault();
    player.timer ? player.pause() : player.play();
  }
});

for (const button of document.querySelectorAll("[data-example]")) {
  button.addEventListener("click", () => {
    textBox.value = button.dataset.example;
    feed.sync(true);
  });
}

// --- a host page (an LMS, a slide) may drive an embedded view ---
connectHost({
  "set-text": ({ text }) => {
    if (recording) return;
    textBox.value = text;
    feed.sync(true);
  },
  seek: ({ t }) => trace.seek(t),
  play: () => player.play(),
  pause: () => player.pause(),
  "select-unit": ({ unit }) => trace.meta && trace.selectUnit(unit),
});
if ($("share")) connectSharing($, currentQuery, () => [...panels.sections.keys()].filter((n) => panels.isVisible(n)));

// --- models ---
async function loadModels() {
  if (recording) return [recording.meta];
  const inPage = document.getElementById("gatescope-models");  // the server's list, saving a round trip
  if (inPage) return JSON.parse(inPage.textContent).models;
  const response = await fetch("/api/models");
  return (await response.json()).models;
}

function useSelectedModel() {
  const option = modelSelect.selectedOptions[0];
  if (!option) return;
  if (resumeAt === null && trace.t >= 0 && !trace.follow) resumeAt = trace.t;
  feed.restart(option.value, option.dataset.tokenizer);
  saveToUrl();
}

modelSelect.addEventListener("change", useSelectedModel);
$("layer-select").addEventListener("change", (event) => trace.setLayer(Number(event.target.value)));
textBox.value = recording ? recording.text : view.text;
if (recording) {
  const banner = $("recording-banner");
  banner.textContent = t("recording_banner", banner.dataset);
  textBox.readOnly = true;
  modelSelect.disabled = true;
  for (const element of document.querySelectorAll('[data-hideable~="examples"]')) element.hidden = true;
}
textBox.addEventListener("input", saveToUrl);
loadModels().then((models) => {
  summaries = new Map(models.map((m) => [m.name, m]));
  modelSelect.replaceChildren(...models.map(modelOption));
  const usable = (name) => models.some((m) => m.name === name && !m.error);
  const fallback = document.body.dataset.defaultModel;
  const wanted = usable(view.model) ? view.model : fallback;  // a link to a model not here: the default
  if (usable(wanted)) modelSelect.value = wanted;
  comparison?.offer(models, view.compare, models.find((m) => m.name === modelSelect.value));
  useSelectedModel();
}).catch((error) => showError(t("models_failed", { message: error.message })));
player.render();
