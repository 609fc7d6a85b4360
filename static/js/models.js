// The model picker and the line that says what the current model is.

// What sets a model's cell apart, in a line (its variant, peepholes, clock periods).
export function cellNote(meta) {
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

export function modelOption(summary) {
  const option = document.createElement("option");
  option.value = summary.name;
  option.textContent = summary.error
    ? `${summary.name} (cannot load)`
    : `${summary.name} — ${summary.cell_title}${summary.trained ? "" : ", untrained"}`;
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
    `${meta.cell_title} · ${meta.layers} layer${meta.layers > 1 ? "s" : ""} × ${meta.hidden_size} units · ${meta.tokenizer} tokens`;
  $("cell-note").textContent = cellNote(meta);
  const layerSelect = $("layer-select");
  layerSelect.replaceChildren(...Array.from({ length: meta.layers }, (_, k) => {
    const option = document.createElement("option");
    option.value = k;
    option.textContent = `layer ${k + 1}${k === 0 ? " (bottom)" : ""}${k === meta.layers - 1 && k > 0 ? " (top)" : ""}`;
    return option;
  }));
  layerSelect.value = shownLayer;
  $("layer-picker").hidden = meta.layers < 2;
}
