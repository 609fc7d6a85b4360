"""How much the end of a text depends on each earlier step: the vanishing gradient the
article's §2 describes, measured exactly on the user's own text.

For a layer read over t = 0 … T−1 (states s_t, inputs x_t), with J_t = ∂s_t/∂s_{t-1}:

    ∂h_{T-1}/∂x_t   = S_h · J_{T-1} ⋯ J_{t+1} · ∂s_t/∂x_t
    ∂s*_{T-1}/∂s*_t = S_* · J_{T-1} ⋯ J_{t+1} · S_*ᵀ      (* = C for the LSTM's belt, h otherwise)

where S selects a vector of the state. (The depth-gated LSTM's layers also read the cell
below, C_t^{L-1}: that input is held fixed, as the layer below's own chain is measured on
its own layer.) One backward sweep of matrix products gives every t;
the view shows their Frobenius norms on a log scale.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.models.model import Model


class GradientFlowUnavailable(ValueError):
    """The gradient view has no Jacobian for this cell yet."""


@dataclass(frozen=True)
class GradientFlow:
    state: str  # the carried vector measured along the chain: "c" (the belt) or "h"
    input_norms: list[float]  # ‖∂h_{T-1}/∂x_t‖ for each t
    state_norms: list[float]  # ‖∂s_{T-1}/∂s_t‖ for each t (√H at the last step)


def gradient_flow(model: Model, ids: np.ndarray, layer: int | None = None) -> GradientFlow:
    """The norms for `layer` (default: the top one) of `model` reading token ids from zero state."""
    if model.cell.jacobian is None:
        raise GradientFlowUnavailable(f"this model's cell, {model.cell.name}, declares no one-step Jacobian")
    layer = model.num_layers - 1 if layer is None else layer
    step_jacobians, names = model.cell.jacobian, model.cell.states  # the cell's own (app/cells), over s = its states
    records, _ = model.forward(ids, model.zero_state())
    params = model.layers[layer]
    hidden = model.hidden_size
    previous = dict(zip(names, (np.zeros(hidden) for _ in names)))
    pairs = []
    below = records[layer - 1] if layer > 0 else [None] * len(ids)  # read by the depth gate
    for record, below_record in zip(records[layer], below):
        pairs.append(step_jacobians(params, previous, record, below_record))
        previous = {name: getattr(record, name) for name in names}

    size = hidden * len(names)
    h_rows = np.eye(size)[-hidden:]  # h is the last vector of s
    carried = names[0]  # c for the LSTM, h otherwise
    carried_rows = np.eye(size)[:hidden]
    to_h, to_carried = h_rows, carried_rows  # ∂h_{T-1}/∂s_t and ∂s*_{T-1}/∂s_t, for t from T−1 down
    input_norms, state_norms = [], []
    for j_s, j_x in reversed(pairs):
        input_norms.append(float(np.linalg.norm(to_h @ j_x)))
        state_norms.append(float(np.linalg.norm(to_carried @ carried_rows.T)))
        to_h, to_carried = to_h @ j_s, to_carried @ j_s
    return GradientFlow(carried, input_norms[::-1], state_norms[::-1])
