"""Inside a layer: what one of the diagram's yellow boxes computed for one unit at one step
of a text, as the cell itself declares it (app/cells/sums.py).

The text is read again from the start up to step t, with the same what-if interventions as
the page's trace, so the inputs [h_{t-1}, x_t], the weights (edited ones included) and
the value the box's sum leads to are those of the trace the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from app.cells.sums import LayerSum
from app.models.model import Model
from app.models.tokenizers import Token
from app.tracing.session import TraceSession
from app.tracing.whatif import Interventions, with_weights


class OutOfRange(ValueError):
    """A step, unit, layer or box the text or the model does not have."""

    code = "out_of_range"


@dataclass(frozen=True)
class OpenedLayer:
    token: Token  # the token read at step t
    boxes: tuple[str, ...]  # every yellow box of this layer
    layer_sum: LayerSum  # the one asked for
    x_kind: (
        str  # what x_t is: "one-hot" (only the token's entry is kept), "embedding", or "below" (h of the layer below)
    )


def open_layer(
    model: Model,
    session: TraceSession,
    tokens: list[Token],
    t: int,
    layer: int,
    unit: int,
    box: str,
) -> OpenedLayer:
    """The sum box `box` of layer `layer` computed for `unit` at step t of `tokens`, read by
    `session` (fresh, with the page's interventions)."""
    if not 0 <= t < len(tokens):
        raise OutOfRange(f"step {t} is beyond the text's {len(tokens)} tokens")
    if not 0 <= layer < model.num_layers:
        raise OutOfRange(f"the model has {model.num_layers} layer(s)")
    if not 0 <= unit < model.hidden_size:
        raise OutOfRange(f"unit {unit} is out of range: the model has {model.hidden_size} units")
    steps = session.run(tokens[: t + 1])
    records = [step.layers[layer] for step in steps[-2:]]
    record, before = records[-1], (records[0] if t > 0 else None)
    prev = {name: getattr(before, name) if before else np.zeros(model.hidden_size) for name in model.cell.states}
    below = steps[-1].layers[layer - 1] if layer > 0 else None
    x = below.h if below is not None else model.inputs(np.array([tokens[t].id]))[0]
    params = weights_at(model, session.interventions, t).layers[layer]
    assert model.cell.layer_sums is not None  # every cell declares its boxes' sums (tests/test_sums.py)
    sums = {s.box: s for s in model.cell.layer_sums(params, prev, record, x, below, unit)}
    if box not in sums:
        raise OutOfRange(f"layer {layer} has no box {box!r}; it has {', '.join(sums)}")
    kind = "below" if layer > 0 else "embedding" if model.embedding is not None else "one-hot"
    layer_sum = sums[box]
    if kind == "one-hot":
        layer_sum = only_the_token(layer_sum, tokens[t].id)
    return OpenedLayer(tokens[t], tuple(sums), layer_sum, kind)


def weights_at(model: Model, interventions: Interventions, t: int) -> Model:
    """The model as step t read it: with the weight edits that had started by then."""
    edits = [edit for edit in interventions.weights if edit.start <= t]
    return with_weights(model, edits) if edits else model


def only_the_token(layer_sum: LayerSum, token_id: int) -> LayerSum:
    """A one-hot x_t reads one column of W_x: keep only the token's entry of each part that
    reads x (the others are 0 · w, and a vocabulary may have thousands)."""
    keep = (token_id,)
    parts = tuple(
        replace(part, values=part.values[list(keep)], weights=part.weights[list(keep)], index=keep)
        if part.reads == "x" and part.index is None
        else part
        for part in layer_sum.parts
    )
    return replace(layer_sum, parts=parts)
