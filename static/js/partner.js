// Which model to read beside another in the Compare view, and what to call the pair.
import { t } from "./i18n/index.js";

// Each cell beside the one the article sets it against: the LSTM against the plain RNN
// (§2), each LSTM variant against the LSTM it changes, one GRU form against the other,
// the clockwork RNN against the plain RNN it splits into modules.
const PARTNER_CELLS = {
  lstm: ["rnn"], rnn: ["lstm"], peephole: ["lstm"], cifg: ["lstm"], dglstm: ["lstm"], gru: ["gru", "lstm"],
  cwrnn: ["rnn"],
};

function rank(main, candidate) {
  const order = PARTNER_CELLS[main.cell] ?? [];
  const byCell = order.includes(candidate.cell) ? order.indexOf(candidate.cell) : order.length;
  return [byCell, candidate.layers === main.layers ? 0 : 1];  // a two-layer cell beside a two-layer one
}

function best(main, candidates) {
  const ranked = candidates.map((m) => [rank(main, m), m])
    .sort(([a], [b]) => a[0] - b[0] || a[1] - b[1]);
  return ranked[0]?.[1] ?? null;
}

// The partner of `main` among `models` (usable summaries), or null when none makes sense:
// the one its file names (compare_with); else a model trained on the same task with
// another cell or form; else, for an untrained demo, another untrained demo reading the
// same kind of tokens. A trained model is never set beside one trained on another task:
// it would read the text as tokens it never learned.
export function partnerFor(main, models) {
  if (!main) return null;
  const others = models.filter((m) => m.name !== main.name);
  const named = others.find((m) => m.name === main.compare_with);
  if (named) return named;
  if (main.trained && main.task) {
    return best(main, others.filter((m) => m.trained && m.task === main.task && differs(main, m)));
  }
  if (!main.trained) {
    return best(main, others.filter((m) => !m.trained && m.tokenizer === main.tokenizer && differs(main, m)));
  }
  return null;
}

// Another cell, or the same cell in another form or trained another way.
function differs(a, b) {
  return a.cell !== b.cell || JSON.stringify(a.cell_options) !== JSON.stringify(b.cell_options)
    || a.layers !== b.layers || a.training?.forget_bias !== b.training?.forget_bias;
}

// A model's cell as a student names it, with what sets it apart from its siblings
// (the GRU's form, more than one layer, the forget gate's starting bias).
export function variantLabel(model) {
  const options = model.cell_options ?? {};
  let name = t(model.cell === "gru" ? `variant_gru_${options.gru_variant ?? "pytorch"}` : `variant_${model.cell}`);
  if (model.cell === "peephole" && options.peepholes?.length < 3) {
    name = t("variant_peephole_some", { gates: options.peepholes.join(", ") });
  }
  const notes = [];
  if (model.layers > 1) notes.push(t("variant_layers", { n: model.layers }));
  const bias = model.training?.forget_bias;
  if (bias !== undefined && bias !== null && bias !== 1) notes.push(t("variant_forget_bias", { b: bias }));
  return [name, ...notes].join(" · ");
}

// The side-by-side view's title, by what the pair is: the long-term dependency problem
// (two models of the lag task), two cells trained alike, or two models of anything else.
export function pairTitle(main, other) {
  if (!main || !other) return t("compare_title_none");
  if (main.metrics?.accuracy_by_lag && other.metrics?.accuracy_by_lag) return t("compare_title");
  const names = { main: variantLabel(main), other: variantLabel(other) };
  if (main.trained && other.trained && main.task && main.task === other.task) return t("compare_title_alike", names);
  return t("compare_title_other", names);
}
