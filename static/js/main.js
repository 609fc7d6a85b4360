// Wires the page together: the store (the view's whole state, read from the link), the
// views that read it and redraw, the stream (live, or a recording) that fills the trace,
// and a host page that may drive an embed. The state lives in the store; this file only
// connects things.
import { pageUrl, socketUrl } from "./address.js";
import { Catalog } from "./catalog.js";
import { Chain } from "./chain.js";
import { Comparison } from "./compare.js";
import { applyLook, pageContract } from "./contract.js";
import { Drawing } from "./drawing.js";
import { errorText } from "./errors.js";
import { Figure, showNumbers } from "./figure.js";
import { FocusBar } from "./focus-bar.js";
import { connectGlossary } from "./glossary.js";
import { GradientFlow } from "./gradients.js";
import { Heatmap } from "./heatmap.js";
import { HostLink, connectHost, hostPoster } from "./host.js";
import { chooseLanguage, t, translatePage } from "./i18n/index.js";
import { TextFeed, bindTextBox } from "./input.js";
import { InsideLayer } from "./inside-layer.js";
import { Inspector } from "./inspector.js";
import { connectKeys } from "./keys.js";
import { LagCurve, summaryCurve } from "./lag-curve.js";
import { paintKeys, showBeltKeys } from "./legend.js";
import { chipLabel, exampleFor, startingPoint } from "./lessons.js";
import { modelOption, showModel } from "./models.js";
import { ErrorLine, StatusLine, aboutWhatIf } from "./notice.js";
import { Panels } from "./panels.js";
import { Player } from "./player.js";
import { Predictions } from "./predictions.js";
import { Saturation } from "./saturation.js";
import { connectExport } from "./export-control.js";
import { keepWhatPlays, presentRecording, recording } from "./recording.js";
import { connectSharing } from "./share.js";
import { NO_INTERVENTIONS, anyInterventions, propertyTable } from "./state.js";
import { Store } from "./store.js";
import { TraceStream } from "./stream.js";
import { TokenStrip } from "./tokens.js";
import { Tooltip } from "./tooltip.js";
import { TrainPanel } from "./train-panel.js";
import { Trace } from "./trace.js";
import { UnitText } from "./unit-text.js";
import { ValuesTable } from "./values-table.js";
import { Walk, browserStorage } from "./walk.js";
import { Walkthrough } from "./walkthrough.js";
import { WhatIf } from "./whatif.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const contract = pageContract();
if (recording) keepWhatPlays(document);  // a recording shows only what it holds (each view below: if its panel is here)

// --- the store: the link's view (a lesson's, under the link's own); it writes the address ---
const table = propertyTable(contract);
const start = startingPoint(recording ? recording.query : location.search, contract.lessons, table,
  recording ? {} : { beats: contract.walk, home: contract.home });
const store = new Store(table, recording ? { ...start.state, text: recording.text } : start.state, start.base);
if (!recording) store.writeAddress(history, location);  // a file:// page has no address worth rewriting
chooseLanguage(store.state.lang);
translatePage();
applyLook(document, store.state);
paintKeys(document);
if (!recording) document.title = t("page_title");

// --- the views ---
const trace = new Trace(store);
const panels = new Panels(document, store);
const textBox = $("text-input");
const modelSelect = $("model-select");
const catalog = new Catalog();
const tooltip = new Tooltip($("tooltip"));
const status = new StatusLine($("status"), { recording: Boolean(recording) });
const errors = new ErrorLine($("error-line"), { message: $("error"), clear: $("clear-whatif") });
const whatif = !$("whatif") ? null : new WhatIf($("whatif"), trace, store);
const figure = new Figure($("diagram-container"), trace, new ValuesTable($("values-table"), trace), {
  held: whatif && ((name, now) => whatif.heldUnits(name, now)),
  focus: () => store.state.focus,
});
const focusBar = new FocusBar($("focus-bar"), { trace, store, getUnits: () => figure.units });
const player = new Player({
  play: $("play"), back: $("step-back"), forward: $("step-forward"), slider: $("time-slider"), position: $("position"),
}, trace, store);
// (A recording's bundle leaves InsideLayer out: it asks the server. app/export/bundle.py)
const inside = recording ? null : new InsideLayer($("inside-layer"), $("inside-bar"), {
  trace, store, getDiagram: () => figure.diagram, tooltip,
});
const walkthrough = new Walkthrough($("walkthrough"), trace, () => figure.diagram);
walkthrough.engaged = store.state.stage !== null;  // a link that names a stage lights it
const tokens = new TokenStrip($("tokens"), trace);
const comparison = !$("compare") ? null : new Comparison($("compare"), {
  textBox, mainTrace: trace, wsUrl: socketUrl("ws/trace"), modelSelect, onChange: (change) => {
    drawing.request("compare");
    if (change === "compare") store.set({ compare: comparison.model });
  },
});
// The main model's lag curve and the compared one's: shown only when the main model was
// measured so (another task's model has no place on this axis).
const lagCurve = !comparison ? null : new LagCurve($("lag-curve"), () => {
  const [main, compared] = [catalog.get(store.state.model), catalog.get(comparison.model)].map(summaryCurve);
  return main ? [main, compared] : [];
});
// The gradient requests for what is shown: the main model and, when shown, the compared one.
const gradientRequests = () => [
  { model: store.state.model, text: store.state.text, layer: trace.layer },
  ...(panels.isVisible("compare") && comparison.model ? [{ model: comparison.model, text: store.state.text }] : []),
];
const unitText = new UnitText($("unit-text"), $("unit-vector"), trace, () => store.state.vector);
const views = {  // panels that can be hidden, by name; each redraws only while shown
  predictions: new Predictions($("predictions"), trace),
  chain: new Chain($("chain"), trace),
  "unit-text": unitText,
  inspector: new Inspector($("inspector"), trace),
  saturation: new Saturation($("saturation"), trace),
  heatmap: new Heatmap($("heatmap"), trace),
  ...($("gradients") ? { gradients: new GradientFlow($("gradients"), $("gradients-note"), trace, gradientRequests) } : {}),
};
const unitInput = $("unit-input");
// The box shows the selected unit when it changes, and only then: a redraw for any other
// reason (a step arriving, the trace done) must not put back the old number over one being typed.
let unitShown = null;
function showUnit() {
  unitInput.max = trace.meta.hidden_size - 1;
  if (trace.unit !== unitShown) unitInput.value = unitShown = trace.unit;
}
const host = new HostLink({
  "set-text": ({ text }) => recording || store.set({ text }),
  seek: ({ t: step }) => trace.seek(step),
  play: () => player.play(),
  pause: () => player.pause(),
  "select-unit": ({ unit }) => trace.selectUnit(unit),
}, { post: hostPoster(), limits: contract.limits, minTextInterval: contract.embed.min_trace_interval_ms });

const drawing = new Drawing(trace, {
  always: [
    figure,
    focusBar,
    ...(inside ? [inside] : []),
    { render: showUnit },
    tokens,
    player,
    { render: () => walkthrough.render(panels.isVisible("walkthrough")) },
    { render: () => comparison?.render(panels.isVisible("compare")) },
    { render: (change) => panels.isVisible("compare") && change !== "step" && lagCurve?.render() },
  ],
  panels,
  views,
  charts: new Set(contract.panels.filter((p) => p.chart).map((p) => p.name)),
  scrolled: [[tokens, null], [views.chain, "chain"]],
  onDrawn: () => host.drawn({ t: trace.t, unit: trace.unit, stage: trace.stage }),
});
trace.subscribe((change) => drawing.request(change));
store.subscribe((changed) => changed.has("panels") && drawing.request("panels"));
store.subscribe((changed) => changed.has("focus") && drawing.request("focus"));

// --- the stream ---
const handlers = {
  meta: (meta) => {
    trace.reset(meta);
    showModel(meta, $, trace.layer, { unit: trace.unit, vector: store.state.vector });
    showBeltKeys(document, meta);
    whatif?.offer(meta);
    errors.hide();
  },
  step: (step) => trace.add(step),
  done: (done) => {
    status.traced(done.total);
    host.traceDone();
    if (!host.ready) drawing.request("done");  // the page is ready once this trace is drawn
    player.traceDone();
  },
  error: (error) => {
    const clear = aboutWhatIf(error) && anyInterventions(store.state.whatif)
      ? () => store.set({ whatif: NO_INTERVENTIONS }) : null;
    errors.show(errorText(error), clear);
    status.failed();
    host.traceFailed(error.message);
  },
  status: (state) => status.connection(state),
  reopen: () => useModel(),  // a new connection holds no trace: start it again
};
// While the Train panel shows a training snapshot, the live trace's frames are not drawn:
// the panel hands the views back (train.live) by starting the live trace again.
const trained = ["meta", "step", "done"];
const live = Object.fromEntries(Object.entries(handlers).map(([type, handle]) =>
  [type, trained.includes(type) ? (frame) => train?.holding || handle(frame) : handle]));
const stream = new TraceStream(socketUrl("ws/trace"), live);  // (a recording answers from the file: server.js)
// Every start carries the what-if interventions, so the server reads the text with them.
const feed = new TextFeed(textBox, stream, {
  extra: () => (anyInterventions(store.state.whatif) ? { whatif: store.state.whatif } : {}),
});
bindTextBox(textBox, store, feed);

// The store's model (the picker may name a training snapshot instead, which is no model).
function useModel() {
  const option = [...modelSelect.options].find((o) => o.value === store.state.model) ?? modelSelect.selectedOptions[0];
  if (option) feed.restart(option.value, option.dataset.tokenizer);
}

store.subscribe((changed) => {
  if (changed.has("model") && modelSelect.value !== store.state.model) modelSelect.value = store.state.model;
  if (changed.has("model") || changed.has("whatif")) useModel();  // read again, keeping the time step
  if (changed.has("compare") && store.state.compare) comparison?.pick(store.state.compare);
});

// --- controls that set the store ---
modelSelect.addEventListener("change", () => {
  const model = modelSelect.value;
  train?.release();  // a model picked by hand is read live, whatever training shows
  if (!store.set({ model }).size) useModel();  // (the store's own model, picked after a snapshot)
});
$("layer-select").addEventListener("change", (event) => trace.setLayer(Number(event.target.value)));
unitInput.addEventListener("change", () => {
  trace.selectUnit(Number(unitInput.value));
  unitInput.value = unitShown = trace.unit;  // what was taken: 999 is the last unit, not 999
});
$("unit-vector").addEventListener("change", () => store.set({ vector: unitText.chosenVector }));
// A unit chosen for what it tracks (a label, or the Train panel's best unit): shown over the text.
function chooseUnit(layer, unit, vector) {
  if (layer !== trace.layer) trace.setLayer(layer);
  trace.selectUnit(unit);
  const unitVector = $("unit-vector");
  if ([...unitVector.options].some((o) => o.value === vector)) unitVector.value = vector;
  store.set({ vector: unitText.chosenVector });
  panels.set("unit-text", true);
}
$("labelled-units").addEventListener("change", (event) => {
  if (event.target.value) chooseUnit(...JSON.parse(event.target.value));
});
for (const button of document.querySelectorAll("[data-example]")) {
  button.addEventListener("click", () => store.set({ text: button.dataset.example }));
  // It offers a sentence of the shown model's own lesson (code to the code model, verse to
  // the poetry model), else the article's.
  const fallback = button.dataset.example;
  const offer = () => {
    button.dataset.example = exampleFor(store.state.model, contract.lessons, fallback);
    button.textContent = chipLabel(button.dataset.example);
    button.title = button.dataset.example;
  };
  store.subscribe((changed) => changed.has("model") && offer());
  offer();
}
showNumbers($("diagram-container"), () => figure.diagram, trace, tooltip);
$("diagram-container").addEventListener("click", (event) => inside?.clicked(event));
if (comparison) showNumbers(comparison.container, () => comparison.diagram, trace, tooltip);
$("values-table").closest("details").addEventListener("toggle", () => drawing.request("values"));
connectKeys(document, { player, walkthrough, walkthroughShown: () => panels.isVisible("walkthrough") });

// --- the guided walk: a beat lights what it is about, and a first visit to the app is invited ---
if (!recording) {  // (a recording's bundle has no Walk: app/export/bundle.py)
  const walk = new Walk($("walk"), {
    store, table, beats: contract.walk, storage: browserStorage(),
    invite: start.first && document.body.dataset.mode === "app",
    onBeat: (beat) => {
      walkthrough.spotlight = beat?.highlight ?? null;
      walkthrough.engaged = store.state.stage !== null;
      drawing.request("stage");
    },
    onError: (error) => errors.show(error.message),
  });
  walk.open().catch((error) => errors.show(error.message));
  $("walk-open")?.addEventListener("click", () => walk.go(walk.current ?? 1).catch((error) => errors.show(error.message)));
}

// --- a host page (an LMS, a slide) may drive an embedded view; the app shares its own ---
connectHost(host);
if (!recording) connectGlossary($);  // (the live app's Terms dialog: a recording's bundle has no glossary.js)
if (!recording && $("share")) {  // (the live app's own: no embed or recording has them)
  connectSharing($, store, contract);
  // A file plays with no server: the panels that work only beside one (training) stay out of it.
  const liveOnly = new Set(contract.panels.filter((p) => p.live_only).map((p) => p.name));
  connectExport($, () => store.serialize(), () => panels.shown().filter((name) => !liveOnly.has(name)));
}
const openFull = $("open-full");  // an embed's way to the full app, on the same view
const linkFull = () => { openFull.href = pageUrl("./", store.serialize()); };
if (openFull) {
  linkFull();
  store.subscribe(linkFull);
}

// --- training in the page: its snapshots go into the views; its models join the pickers ---
const train = recording || !$("train") ? null : new TrainPanel($("train"), {
  timeline: { box: $("training-time"), slider: $("training-slider"), position: $("training-position"),
    hint: $("training-hint") },
  modelLine: { picker: modelSelect, info: $("model-info") },
  training: contract.training,
  wsUrl: socketUrl("ws/train"),
  store,
  textBox,
  show: (recorded) => {
    handlers.meta(recorded.meta);
    for (const step of recorded.steps) handlers.step(step);
    handlers.done({ total: recorded.steps.length });
  },
  live: (model) => store.set({ model }).size || useModel(),
  offer: (summary) => {
    catalog.add(summary);
    modelSelect.append(modelOption(summary));
    comparison?.offer(catalog.models, comparison.model, catalog.get(store.state.model));
  },
  selectUnit: chooseUnit,
  visible: () => panels.isVisible("train"),
});
store.subscribe((changed) => changed.has("panels") && train?.renderCharts());

// --- models ---
if (recording) presentRecording($);
catalog.load(recording).then((models) => {
  modelSelect.replaceChildren(...models.map(modelOption));
  // A link to a model not here: the default, else the first that loads.
  const shown = [store.state.model, document.body.dataset.defaultModel, ...models.map((m) => m.name)]
    .find((name) => catalog.usable(name));
  if (shown) modelSelect.value = shown;
  comparison?.offer(models, store.state.compare, catalog.get(modelSelect.value));
  if (!store.set({ model: modelSelect.value }).size) useModel();  // (a change of model starts the trace itself)
}).catch((error) => errors.show(t("models_failed", { message: error.message })));
player.render();
