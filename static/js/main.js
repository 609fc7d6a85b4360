// Wires the page together: the stream fills the trace; views redraw from the trace,
// at most once per animation frame however fast frames arrive.
import { Chain } from "./chain.js";
import { VECTOR_LABELS, VECTOR_ROLES } from "./config.js";
import { createDiagram } from "./diagram/index.js";
import { Heatmap } from "./heatmap.js";
import { TextFeed } from "./input.js";
import { Inspector } from "./inspector.js";
import { Panels } from "./panels.js";
import { Player } from "./player.js";
import { Predictions } from "./predictions.js";
import { Saturation } from "./saturation.js";
import { TraceStream } from "./stream.js";
import { plainLabel } from "./text.js";
import { TokenStrip } from "./tokens.js";
import { Tooltip } from "./tooltip.js";
import { Trace } from "./trace.js";
import { UnitText } from "./unit-text.js";
import { Walkthrough } from "./walkthrough.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);

const trace = new Trace();
const diagramContainer = $("diagram-container");
let diagram = null;
let diagramKey = "";

const tokens = new TokenStrip($("tokens"), trace);
const player = new Player({
  play: $("play"), back: $("step-back"), forward: $("step-forward"), slider: $("time-slider"), position: $("position"),
}, trace);
const walkthrough = new Walkthrough($("walkthrough"), trace, () => diagram);
// Panels that can be hidden, by name; each redraws only while shown.
const views = {
  predictions: new Predictions($("predictions"), trace),
  chain: new Chain($("chain"), trace),
  "unit-text": new UnitText($("unit-text"), $("unit-vector"), trace),
  inspector: new Inspector($("inspector"), trace),
  saturation: new Saturation($("saturation"), trace),
  heatmap: new Heatmap($("heatmap"), trace),
};
const stale = new Set();  // views that were hidden while the trace changed
const panels = new Panels(document, (name, visible) => {
  if (name === "walkthrough" || (visible && stale.has(name))) redraw("reset");
});
const tooltip = new Tooltip($("tooltip"));
const status = $("status");
const modelSelect = $("model-select");
const modelInfo = $("model-info");

// --- drawing, batched per animation frame ---
let pending = null;
trace.subscribe((change) => redraw(change));

function redraw(change) {
  if (pending === "reset") return;
  pending = change === "reset" ? "reset" : pending ?? change;
  requestAnimationFrame(draw);
}

function draw() {
  if (pending === null || !trace.meta) return;
  const change = pending;
  pending = null;
  const t = trace.t;
  ensureDiagram();
  const record = trace.record(t);
  if (record) diagram.update(record, trace.previous(t), trace.input(t), trace.below(t));
  else diagram.clear();
  diagram.selectUnit(trace.unit);
  diagramContainer.dataset.t = String(t);
  $("unit-input").max = trace.meta.hidden_size - 1;
  $("unit-input").value = trace.unit;
  tokens.render(change);
  player.render();
  walkthrough.render(panels.isVisible("walkthrough"));
  for (const [name, view] of Object.entries(views)) {
    if (panels.isVisible(name)) {
      view.render(stale.delete(name) ? "reset" : change);
    } else {
      stale.add(name);
    }
  }
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

// --- numbers on hover; click a unit to select it everywhere ---
diagramContainer.addEventListener("pointermove", (event) => {
  const cell = event.target.closest("rect.unit");
  if (!cell || !diagram?.values) return tooltip.hide();
  const { vector, unit } = cell.dataset;
  const value = diagram.values[vector][unit];
  tooltip.show(`${plainLabel(VECTOR_LABELS[vector] ?? vector)}[${unit}] = ${value.toFixed(4)}\n${VECTOR_ROLES[vector] ?? ""}`,
    event.clientX, event.clientY);
});
diagramContainer.addEventListener("pointerleave", () => tooltip.hide());
diagramContainer.addEventListener("click", (event) => {
  const cell = event.target.closest("rect.unit");
  if (cell) trace.selectUnit(Number(cell.dataset.unit));
});
$("unit-input").addEventListener("change", (event) => trace.selectUnit(Number(event.target.value)));

// --- the stream ---
let resumeAt = null;  // a model switch keeps the time position
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/trace`;
const stream = new TraceStream(wsUrl, {
  meta: (meta) => {
    trace.reset(meta);
    showModel(meta);
    hideError();
  },
  step: (step) => trace.add(step),
  done: (done) => {
    status.textContent = `${done.total} steps traced`;
    if (resumeAt !== null) {
      trace.seek(resumeAt);
      resumeAt = null;
    }
  },
  error: (error) => showError(error.message),
  status: (state) => {
    status.dataset.state = state;
    if (state !== "open") status.textContent = state === "connecting" ? "connecting…" : "disconnected, retrying…";
  },
});
const feed = new TextFeed($("text-input"), stream);

function showModel(meta) {
  modelInfo.textContent = meta.description || `${meta.cell_title}, ${meta.hidden_size} units`;
  $("untrained-badge").hidden = meta.trained;
  $("model-shape").textContent =
    `${meta.cell_title} · ${meta.layers} layer${meta.layers > 1 ? "s" : ""} × ${meta.hidden_size} units · ${meta.tokenizer} tokens`;
  $("cell-note").textContent = cellNote(meta);
  const layerSelect = $("layer-select");
  layerSelect.replaceChildren(...Array.from({ length: meta.layers }, (_, k) => {
    const option = document.createElement("option");
    option.value = k;
    option.textContent = `layer ${k + 1}${k === 0 ? " (bottom)" : ""}${k === meta.layers - 1 && k > 0 ? " (top)" : ""}`;
    return option;
  }));
  layerSelect.value = trace.layer;
  $("layer-picker").hidden = meta.layers < 2;
}

// What sets this model's cell apart, in a line (its variant, peepholes, clock periods).
function cellNote(meta) {
  const options = meta.cell_options ?? {};
  if (meta.cell === "gru") {
    return options.gru_variant === "pytorch"
      ? "PyTorch/Keras GRU: r is applied after the matrix product, and z keeps the old state: h_t = z·h_{t-1} + (1 − z)·h̃_t"
      : "The article's GRU: h̃_t = tanh(W·[r·h_{t-1}, x_t]), h_t = (1 − z)·h_{t-1} + z·h̃_t";
  }
  if (meta.cell === "peephole") return `Peepholes into: ${(options.peepholes ?? []).join(", ") || "none"}`;
  if (meta.cell === "cwrnn") return `Clock periods: ${(options.periods ?? []).join(", ")}`;
  if (meta.cell === "cifg") return "Coupled gates: i_t = 1 − f_t";
  if (meta.cell === "dglstm") return "Depth gates link each layer's cell to the layer above (pick a layer above the first)";
  return "";
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
  if (event.target.closest("textarea, input, select")) return;
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

// --- examples ---
for (const button of document.querySelectorAll("[data-example]")) {
  button.addEventListener("click", () => {
    $("text-input").value = button.dataset.example;
    feed.sync(true);
  });
}

// --- models ---
async function loadModels() {
  const response = await fetch("/api/models");
  const { models } = await response.json();
  modelSelect.replaceChildren(...models.map((m) => {
    const option = document.createElement("option");
    option.value = m.name;
    option.textContent = m.error ? `${m.name} (cannot load)` : `${m.name} — ${m.cell_title}${m.trained ? "" : ", untrained"}`;
    option.disabled = Boolean(m.error);
    if (m.error) option.title = m.error;
    option.dataset.tokenizer = m.tokenizer ?? "char";
    return option;
  }));
  const wanted = new URLSearchParams(location.search).get("model") ?? document.body.dataset.defaultModel;
  if (models.some((m) => m.name === wanted && !m.error)) modelSelect.value = wanted;
  useSelectedModel();
}

function useSelectedModel() {
  const option = modelSelect.selectedOptions[0];
  if (!option) return;
  resumeAt = trace.t >= 0 ? trace.t : null;
  feed.restart(option.value, option.dataset.tokenizer);
}

modelSelect.addEventListener("change", useSelectedModel);
$("layer-select").addEventListener("change", (event) => trace.setLayer(Number(event.target.value)));
const initialText = new URLSearchParams(location.search).get("text");
if (initialText !== null) $("text-input").value = initialText;
loadModels().catch((error) => showError(`Could not list the models: ${error.message}`));
player.render();
