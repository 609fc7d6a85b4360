// Wires the page together: the stream fills the trace; views redraw from the trace,
// at most once per animation frame however fast frames arrive.
import { LSTMDiagram } from "./diagram/lstm.js";
import { VECTOR_LABELS, VECTOR_ROLES } from "./config.js";
import { Heatmap } from "./heatmap.js";
import { TextFeed } from "./input.js";
import { Player } from "./player.js";
import { Predictions } from "./predictions.js";
import { TraceStream } from "./stream.js";
import { TokenStrip } from "./tokens.js";
import { Tooltip } from "./tooltip.js";
import { Trace } from "./trace.js";

const $ = (id) => document.querySelector(`[data-testid="${id}"]`);
const STATUS_TEXT = {
  connecting: "connecting…", closed: "disconnected, retrying…", idle: "idle: reconnects when you type",
};

const trace = new Trace();
const diagram = new LSTMDiagram($("diagram-container"));
const tokens = new TokenStrip($("tokens"), trace);
const predictions = new Predictions($("predictions"), trace);
const heatmap = new Heatmap($("heatmap"), trace);
const player = new Player({
  play: $("play"), back: $("step-back"), forward: $("step-forward"), slider: $("time-slider"), position: $("position"),
}, trace);
const tooltip = new Tooltip($("tooltip"));
const status = $("status");
const modelSelect = $("model-select");
const modelInfo = $("model-info");

// --- drawing, batched per animation frame ---
let pending = null;
trace.subscribe((change) => {
  if (pending === "reset") return;
  pending = change === "reset" ? "reset" : pending ?? change;
  requestAnimationFrame(draw);
});

function draw() {
  if (pending === null) return;
  const change = pending;
  pending = null;
  const t = trace.t;
  const record = trace.record(t);
  if (record) diagram.update(record, { c: trace.previous(t, "c"), h: trace.previous(t, "h") }, trace.input(t));
  else diagram.clear();
  $("diagram-container").dataset.t = String(t);
  tokens.render(change);
  predictions.render();
  player.render();
  heatmap.render(change);
}

// --- numbers on hover ---
$("diagram-container").addEventListener("pointermove", (event) => {
  const cell = event.target.closest("rect.unit");
  if (!cell || !diagram.values) return tooltip.hide();
  const { vector, unit } = cell.dataset;
  const value = diagram.values[vector][unit];
  tooltip.show(`${VECTOR_LABELS[vector]}[${unit}] = ${value.toFixed(4)}\n${VECTOR_ROLES[vector]}`, event.clientX, event.clientY);
});
$("diagram-container").addEventListener("pointerleave", () => tooltip.hide());

// --- the stream ---
const wsUrl = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws/trace`;
const stream = new TraceStream(wsUrl, {
  meta: (meta) => {
    trace.reset(meta);
    showModel(meta);
    hideError();
  },
  step: (step) => trace.add(step),
  done: (done) => { status.textContent = `${done.total} steps traced`; },
  error: (error) => showError(error.message),
  status: (state) => {
    status.dataset.state = state;
    if (state !== "open") status.textContent = STATUS_TEXT[state];
  },
  reopen: () => useSelectedModel(),  // a new connection holds no trace: start it again
});
const feed = new TextFeed($("text-input"), stream);

function showModel(meta) {
  modelInfo.textContent = meta.description || `${meta.cell_title}, ${meta.hidden_size} units`;
  $("untrained-badge").hidden = meta.trained;
  $("model-shape").textContent =
    `${meta.cell_title} · ${meta.layers} layer${meta.layers > 1 ? "s" : ""} × ${meta.hidden_size} units · ${meta.tokenizer} tokens`;
}

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = false;
}

function hideError() {
  $("error").hidden = true;
}

// --- keyboard: arrows move through time when the focus is not in the text box ---
document.addEventListener("keydown", (event) => {
  if (event.target.closest("textarea, input, select")) return;
  if (event.key === "ArrowLeft") player.stepBy(-1);
  else if (event.key === "ArrowRight") player.stepBy(1);
  else if (event.key === " " && event.target === document.body) {
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
  if (option) feed.restart(option.value, option.dataset.tokenizer);
}

modelSelect.addEventListener("change", useSelectedModel);
const initialText = new URLSearchParams(location.search).get("text");
if (initialText !== null) $("text-input").value = initialText;
loadModels().catch((error) => showError(`Could not list the models: ${error.message}`));
player.render();
