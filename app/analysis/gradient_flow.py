"""How much the end of a text depends on each earlier step: the vanishing gradient the
article's §2 describes, measured exactly on the user's own text.

For a layer read over t = 0 … T−1 (states s_t, inputs x_t), with J_t = ∂s_t/∂s_{t-1}:

    ∂h_{T-1}/∂x_t   = S_h · J_{T-1} ⋯ J_{t+1} · ∂s_t/∂x_t
    ∂s*_{T-1}/∂s*_t = S_* · J_{T-1} ⋯ J_{t+1} · S_*ᵀ      (* = C for the LSTM's belt, h otherwise)

where S selects a vector of the state. (The depth-gated LSTM's layers also read the cell
below, C_t^{L-1}: that input is held fixed, as the layer below's own chain is measured on
its own layer.) One backward sweep gives every t: it carries the product
P_t = J_{T-1} ⋯ J_{t+1} (S × S, S the state's size) from t = T−1 down, computing each
step's Jacobians from the forward pass's records when it reaches that step. So it holds
the records (O(T·H)) and one step's matrices (O(S²)), never T Jacobians; its cost is
T · (S³ + H·S·X) multiply-adds (`work_per_token`), which a budget bounds before any of
it is done. The view shows the norms (Frobenius) on a log scale.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from app.cells import Cell
from app.models.model import Model
from app.tracing.session import check_finite

RESCALE_ABOVE, RESCALE_BELOW = 1e100, 1e-100  # P is kept between these by a tracked factor, so that
#   a chain that explodes (or vanishes) over thousands of steps neither overflows nor underflows


class GradientFlowUnavailable(ValueError):
    """The gradient view has no Jacobian for this cell yet."""

    code = "unavailable"


class GradientFlowTooCostly(ValueError):
    """More work than one request may take; the message says how many tokens would fit."""

    code = "too_long"
    limit = "max_gradient_work"


class GradientFlowStopped(Exception):
    """The caller asked it to stop (its client left) between two steps."""


@dataclass(frozen=True)
class GradientFlow:
    state: str  # the carried vector measured along the chain: "c" (the belt) or "h"
    input_norms: list[float]  # ‖∂h_{T-1}/∂x_t‖ for each t
    state_norms: list[float]  # ‖∂s_{T-1}/∂s_t‖ for each t (√H at the last step)


def step_jacobians(cell: Cell):
    """The cell's own one-step Jacobians (app/cells: params, previous state, record, record
    below -> (∂s_t/∂s_{t-1}, ∂s_t/∂x_t)), and the names of the state's vectors, stacked in s."""
    if cell.jacobian is None:
        raise GradientFlowUnavailable(f"this model's cell, {cell.name}, declares no one-step Jacobian")
    return cell.jacobian, cell.states


def work_per_token(model: Model, layer: int) -> int:
    """Multiply-adds one step of the backward sweep takes: P·J_s (S³) and S_h·P·J_x (H·S·X)."""
    _, names = step_jacobians(model.cell)
    hidden = model.hidden_size
    size = hidden * len(names)
    return size**3 + hidden * size * model.layers[layer].input_size


def check_budget(model: Model, layer: int, tokens: int, budget: int) -> None:
    """Refuse (GradientFlowTooCostly) before any work when `tokens` cost more than `budget`."""
    per_token = work_per_token(model, layer)
    if tokens * per_token > budget:
        fits = budget // per_token
        raise GradientFlowTooCostly(
            f"gradient flow of {model.name} (H = {model.hidden_size}) is computed for at most {fits} tokens here "
            f"({per_token:,} multiply-adds a token, within max_gradient_work); the text has {tokens}"
        )


def scaled(norm: float, log_scale: float) -> float:
    """norm × e^log_scale, as a float: past float64's largest value, that value."""
    if norm == 0 or log_scale == 0:
        return norm
    exponent = math.log(norm) + log_scale
    return math.exp(exponent) if exponent < math.log(np.finfo(np.float64).max) else float(np.finfo(np.float64).max)


def gradient_flow(
    model: Model, ids: np.ndarray, layer: int | None = None, stopped: Callable[[], bool] | None = None
) -> GradientFlow:
    """The norms for `layer` (default: the top one) of `model` reading token ids from zero
    state. `stopped()`, checked before each step, ends it early (GradientFlowStopped)."""
    jacobians, names = step_jacobians(model.cell)
    layer = model.num_layers - 1 if layer is None else layer
    records, _ = model.forward(ids, model.zero_state())
    check_finite(records, 0)
    params, hidden = model.layers[layer], model.hidden_size
    mine = records[layer]
    below = records[layer - 1] if layer > 0 else [None] * len(ids)  # read by the depth gate
    zeros = {name: np.zeros(hidden, np.float32) for name in names}

    size = hidden * len(names)
    h_rows = slice(size - hidden, size)  # h is the last vector of s
    carried = slice(0, hidden)  # c for the LSTM, h otherwise
    product = np.eye(size)  # P = J_{T-1} ⋯ J_{t+1}, divided by e^log_scale
    log_scale = 0.0
    input_norms, state_norms = [0.0] * len(ids), [0.0] * len(ids)
    for t in range(len(ids) - 1, -1, -1):
        if stopped is not None and stopped():
            raise GradientFlowStopped
        previous = zeros if t == 0 else {name: getattr(mine[t - 1], name) for name in names}
        j_s, j_x = jacobians(params, previous, mine[t], below[t])
        input_norms[t] = scaled(float(np.linalg.norm(product[h_rows] @ j_x)), log_scale)
        state_norms[t] = scaled(float(np.linalg.norm(product[carried, carried])), log_scale)
        if t > 0:
            product = product @ j_s
            largest = float(np.abs(product).max())
            if largest > RESCALE_ABOVE or 0 < largest < RESCALE_BELOW:
                product /= largest
                log_scale += math.log(largest)
    return GradientFlow(names[0], input_norms, state_norms)
