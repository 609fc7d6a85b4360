// One diagram module per cell family, in the article's notation. Which family draws a
// model's layer, and which of its parts, is the cell's own declaration (app/cells), sent
// in the meta as cell_figures: a new cell adds its module here, under its family's name.
import { ClockworkDiagram } from "./clockwork.js";
import { GRUDiagram } from "./gru.js";
import { LSTMDiagram } from "./lstm.js";
import { RNNDiagram } from "./rnn.js";

const FAMILIES = { rnn: RNNDiagram, lstm: LSTMDiagram, gru: GRUDiagram, clockwork: ClockworkDiagram };

// The figure of layer `layer`: the bottom layer's is first; the last one is every layer's above.
export function figureFor(meta, layer) {
  const figures = meta?.cell_figures ?? [];
  return figures[Math.min(layer, figures.length - 1)] ?? null;
}

export function createDiagram(container, meta, layer) {
  const figure = figureFor(meta, layer);
  const Diagram = FAMILIES[figure.family];
  return new Diagram(container, meta, layer, figure);
}
