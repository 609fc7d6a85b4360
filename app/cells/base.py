"""What every cell provides, so models, tracing and the stream treat them alike.

A cell is a set of pure functions over one layer's parameters and state. Tracing a
sequence is split in two, because only the recurrent half has to run step by step:

    zx_t = W_x · x_t + b            input projection, all t at once   (T, G·H)
    record_t = step(p, state, zx_t)  the recurrence, one token at a time

where G is the number of gate blocks the cell stacks in its weight matrices
(LSTM: 4, GRU: 3, RNN: 1), in PyTorch's row order.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np


class StepRecord(Protocol):
    """Every intermediate vector of one step, under the article's names."""

    GATES: tuple[str, ...]  # e.g. ("f", "i", "c_tilde", "o"), in the article's order
    STATES: tuple[str, ...]  # e.g. ("c", "h"); the last one is the layer's output

    def state(self) -> Any:
        """The recurrent state this step hands to the next one."""


@dataclass(frozen=True)
class Cell:
    """A cell type, as the rest of the app sees it."""

    name: str  # the name in model files and in the stream ("lstm")
    title: str  # for people ("LSTM")
    gates: tuple[str, ...]
    states: tuple[str, ...]
    gate_blocks: int  # G: weight matrices hold G stacked (H, ·) blocks
    params_from_arrays: Callable[[Mapping[str, np.ndarray], int], Any]  # (arrays, layer) -> params
    params_to_arrays: Callable[[Any, int], dict[str, np.ndarray]]
    zero_state: Callable[[int, np.dtype], Any]
    input_projection: Callable[[Any, np.ndarray], np.ndarray]  # (params, (T, X)) -> (T, G·H)
    step_projected: Callable[[Any, Any, np.ndarray], StepRecord]  # (params, state, zx) -> record

    def trace(self, params: Any, xs: np.ndarray, state: Any) -> list[StepRecord]:
        """Run the cell over a whole sequence xs (T, X) from `state`."""
        records = []
        for zx in self.input_projection(params, xs):
            record = self.step_projected(params, state, zx)
            records.append(record)
            state = record.state()
        return records
