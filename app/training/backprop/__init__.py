"""Batched forward and backward passes, one module per cell type.

Each module defines a `LayerBackprop` named like the cell it trains (app/cells), over
the same weight layout as the model file; adding a cell to training is adding one module
here and one line to BACKPROPS. The LSTM's variants (peephole, cifg, dglstm) share the
LSTM's passes, with their extra terms (lstm.py).
"""

from collections.abc import Mapping

from app.training.backprop.base import LayerBackprop, LayerParams, State
from app.training.backprop.cifg import CIFG
from app.training.backprop.cwrnn import CWRNN
from app.training.backprop.dglstm import DGLSTM
from app.training.backprop.gru import GRU
from app.training.backprop.lstm import LSTM
from app.training.backprop.peephole import PEEPHOLE
from app.training.backprop.rnn import RNN

BACKPROPS: dict[str, LayerBackprop] = {layer.name: layer for layer in (RNN, LSTM, PEEPHOLE, CIFG, GRU, DGLSTM, CWRNN)}

__all__ = ["BACKPROPS", "LayerBackprop", "LayerParams", "State", "get_backprop"]


def get_backprop(name: str, options: Mapping | None = None) -> LayerBackprop:
    """The layer of cell `name` for its options (checked ones, as Shape holds them);
    without options, the layer as registered (for its `options` check)."""
    try:
        layer = BACKPROPS[name]
    except KeyError:
        raise KeyError(f"no trainer for cell {name!r}; trainable: {', '.join(sorted(BACKPROPS))}") from None
    return layer if options is None else layer.specialize(layer, options)
