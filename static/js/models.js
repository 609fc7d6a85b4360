// The model picker and the line that says what the current model is.
import { figureFor } from "./diagram/index.js";
import { localized, t } from "./i18n/index.js";
import { vectorLabel } from "./vectors.js";
import { plainLabel } from "./text.js";

// What sets a model's cell apart, in a line (its variant, peepholes, clock periods), as
// the cell declares it for the layer shown.
export function cellNote(meta, layer) {
  return (figureFor(meta, layer)?.notes ?? []).map(([key, values]) => t(key, values)).join(" ");
}

// The cell's name in the page's language (the server's English title for a cell it has no name for).
export function cellTitle(summary) {
  const key = `cell_${summary.cell}`;
  const title = t(key);
  return title === key ? summary.cell_title : title;
}

export function modelOption(summary) {
  const option = document.createElement("option");
  option.value = summary.name;
  option.textContent = summary.error
    ? `${summary.name} (${t("cannot_load")})`
    : `${summary.name} — ${cellTitle(summary)}${summary.trained ? "" : `, ${t("untrained")}`}`;
  option.disabled = Boolean(summary.error);
  if (summary.error) option.title = summary.error;
  option.dataset.tokenizer = summary.tokenizer ?? "char";
  return option;
}

// Fill the page's model line and layer picker from a meta frame; `label` ({unit, vector}),
// when it is one of the model's labels, is shown as the chosen labelled unit.
export function showModel(meta, $, shownLayer, label = null) {
  $("model-info").textContent = localized(meta, "description") || "";
  $("untrained-badge").hidden = meta.trained;
  $("model-shape").textContent =
    t("model_shape", { cell: cellTitle(meta), layers: meta.layers, units: meta.hidden_size, tokenizer: meta.tokenizer });
  $("cell-note").textContent = plainLabel(cellNote(meta, shownLayer));
  const layerSelect = $("layer-select");
  layerSelect.replaceChildren(...Array.from({ length: meta.layers }, (_, k) => {
    const option = document.createElement("option");
    option.value = k;
    option.textContent = t("layer_option", { k: k + 1, bottom: k === 0, top: k === meta.layers - 1 && k > 0 });
    return option;
  }));
  layerSelect.value = shownLayer;
  $("layer-picker").hidden = meta.layers < 2;
  // Units the model's training labelled with what they track (Karpathy et al. 2015).
  const labelled = meta.units ?? [];
  $("labelled-units").replaceChildren(new Option("—", ""), ...labelled.map((u) => new Option(
    t("labelled_unit", { ...u, feature: localized(u, "feature"), vector: vectorLabel(u.vector), r: Number(u.r).toFixed(2) }), JSON.stringify([u.layer ?? 0, u.unit, u.vector]))));
  $("labelled-units-picker").hidden = labelled.length === 0;
  const chosen = JSON.stringify([shownLayer, label?.unit, label?.vector]);
  if ([...$("labelled-units").options].some((o) => o.value === chosen)) $("labelled-units").value = chosen;
}
