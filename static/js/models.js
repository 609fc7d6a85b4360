// The model picker and the line that says what the current model is.
import { t } from "./i18n/index.js";

// What sets a model's cell apart, in a line (its variant, peepholes, clock periods).
export function cellNote(meta) {
  const options = meta.cell_options ?? {};
  if (meta.cell === "gru") {
    return t(options.gru_variant === "pytorch" ? "note_gru_pytorch" : "note_gru_article");
  }
  if (meta.cell === "peephole") return t("note_peephole", { gates: (options.peepholes ?? []).join(", ") || t("note_none") });
  if (meta.cell === "cwrnn") return t("note_cwrnn", { periods: (options.periods ?? []).join(", ") });
  if (meta.cell === "cifg") return t("note_cifg");
  if (meta.cell === "dglstm") return t("note_dglstm");
  return "";
}

export function modelOption(summary) {
  const option = document.createElement("option");
  option.value = summary.name;
  option.textContent = summary.error
    ? `${summary.name} (${t("cannot_load")})`
    : `${summary.name} — ${summary.cell_title}${summary.trained ? "" : `, ${t("untrained")}`}`;
  option.disabled = Boolean(summary.error);
  if (summary.error) option.title = summary.error;
  option.dataset.tokenizer = summary.tokenizer ?? "char";
  return option;
}

// Fill the page's model line and layer picker from a meta frame.
export function showModel(meta, $, shownLayer) {
  $("model-info").textContent = meta.description || `${meta.cell_title}, ${meta.hidden_size} units`;
  $("untrained-badge").hidden = meta.trained;
  $("model-shape").textContent =
    t("model_shape", { cell: meta.cell_title, layers: meta.layers, units: meta.hidden_size, tokenizer: meta.tokenizer });
  $("cell-note").textContent = cellNote(meta);
  const layerSelect = $("layer-select");
  layerSelect.replaceChildren(...Array.from({ length: meta.layers }, (_, k) => {
    const option = document.createElement("option");
    option.value = k;
    option.textContent = t("layer_option", { k: k + 1, bottom: k === 0, top: k === meta.layers - 1 && k > 0 });
    return option;
  }));
  layerSelect.value = shownLayer;
  $("layer-picker").hidden = meta.layers < 2;
}
