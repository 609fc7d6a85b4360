// One diagram per cell type, in the article's notation.
import { GRUDiagram } from "./gru.js";
import { LSTMDiagram } from "./lstm.js";
import { RNNDiagram } from "./rnn.js";

const DIAGRAMS = {
  lstm: LSTMDiagram, peephole: LSTMDiagram, cifg: LSTMDiagram, dglstm: LSTMDiagram,
  gru: GRUDiagram,
  rnn: RNNDiagram, cwrnn: RNNDiagram,
};

export function createDiagram(container, meta, layer) {
  const Diagram = DIAGRAMS[meta.cell] ?? LSTMDiagram;
  return new Diagram(container, meta, layer);
}
