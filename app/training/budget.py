"""What a network costs in parameters, and the hidden size that fits a parameter budget.

Cells differ in weights per unit: with H units and X inputs a layer has G·H·(X + H + 2)
(G gate blocks: 1 for an RNN, 3 for a GRU or coupled gates, 4 for an LSTM; two bias
vectors, as PyTorch keeps them), plus what a cell adds (peepholes, a depth gate). To
compare cells at one budget, as at one size, each gets the H whose count is closest.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from app.cells.cwrnn import recurrent_mask
from app.training import network
from app.training.network import Shape

LARGEST_HIDDEN = 1024  # no budget here needs more units


def trainable_parameters(shape: Shape) -> int:
    """Every number training can change: the model file's arrays (embedding, every
    layer's, decoder), less the clockwork RNN's masked slow-to-fast weights, which
    stay at zero."""
    params = network.init_params(shape, seed=0)
    total = sum(value.size for value in params.values())
    if shape.cell == "cwrnn":
        unused = int((recurrent_mask(np.asarray(shape.options["periods"]), shape.hidden) == 0).sum())
        total -= unused * shape.layers
    return total


def fit_hidden(shape: Shape, budget: int, step: int = 2) -> Shape:
    """`shape` with the hidden size (a multiple of `step`; for a clockwork RNN also of
    its number of modules) whose parameter count is closest to `budget`, with the same
    cell options."""
    best, best_gap = None, None
    for hidden in range(step, LARGEST_HIDDEN + 1, step):
        try:
            candidate = dataclasses.replace(shape, hidden=hidden)
        except ValueError:  # these units do not split into the clockwork's modules
            continue
        count = trainable_parameters(candidate)
        gap = abs(count - budget)
        if best_gap is None or gap < best_gap:
            best, best_gap = candidate, gap
        if count > budget:  # counts only grow with H
            break
    if best is None:
        raise ValueError(f"no hidden size up to {LARGEST_HIDDEN} fits {budget:,} parameters for {shape.cell}")
    return best
