"""Batched forward and backward passes, one module per cell type.

Each module defines a `LayerBackprop` named like the cell it trains (app/cells), over
the same PyTorch weight layout; adding a cell to training is adding one module here
and one line to BACKPROPS.
"""

from app.training.backprop.base import LayerBackprop, LayerParams, State
from app.training.backprop.gru import GRU
from app.training.backprop.lstm import LSTM
from app.training.backprop.rnn import RNN

BACKPROPS: dict[str, LayerBackprop] = {layer.name: layer for layer in (LSTM, RNN, GRU)}

__all__ = ["BACKPROPS", "LayerBackprop", "LayerParams", "State", "get_backprop"]


def get_backprop(name: str) -> LayerBackprop:
    try:
        return BACKPROPS[name]
    except KeyError:
        raise KeyError(f"no trainer for cell {name!r}; trainable: {', '.join(sorted(BACKPROPS))}") from None
