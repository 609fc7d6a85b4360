"""What every cell provides, so models, tracing and the stream treat them alike.

A cell is a set of pure functions over one layer's parameters and state. Tracing a
sequence is split in two, because only the recurrent half has to run step by step:

    zx_t = W_x · x_t + b                  input projection, all t at once   (T, ·)
    record_t = step(p, state, zx_t)        the recurrence, one token at a time

A layer of a stack reads the h_t of the layer below as its x_t; a cell that links
layers more tightly (the depth-gated LSTM) also gets the records of the layer below.

A model file holds, per layer, nn.RNN's four arrays (app/cells/weights.py) and any a
cell adds (peepholes, depth gates); a cell may also read model-wide choices from it
(the GRU's formulation, the clockwork periods), its "options".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from app.cells.weights import (
    Weights,
    project_inputs,
    weight_shapes,
    weights_from_arrays,
    weights_to_arrays,
)

# A what-if intervention inside a step: each cell passes every vector it computes, by its
# name in the record ("f", "c", "h", ...), through fix(name, values) before using it, so a
# clamped gate or a knocked-out unit changes everything computed after it.
Fix = Callable[[str, np.ndarray], np.ndarray]


def keep(name: str, values: np.ndarray) -> np.ndarray:
    """No intervention: every vector as the cell computed it."""
    return values


class StepRecord:
    """Every intermediate vector of one step, under the article's names.

    Subclasses are frozen dataclasses; these class attributes name their vectors, in
    the order the article introduces them. Frames carry GATES under "gates", STATES and
    EXTRAS at the top level of a step."""

    GATES: ClassVar[tuple[str, ...]] = ()  # e.g. ("f", "i", "c_tilde", "o")
    STATES: ClassVar[tuple[str, ...]] = ()  # e.g. ("c", "h"); the last one is the layer's output
    EXTRAS: ClassVar[tuple[str, ...]] = ()  # other per-unit vectors a diagram shows (e.g. "active")

    def state(self) -> Any:
        """The recurrent state this step hands to the next one."""
        raise NotImplementedError


class InvalidOption(ValueError):
    """A model-wide choice in a file that a cell cannot use; the message names the key."""


def no_extra_shapes(layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
    return {}


def no_options_in_file(arrays: Mapping[str, np.ndarray], hidden: int) -> dict:
    return {}


def no_options(params: Any) -> dict:
    return {}


def no_option_arrays(options: Mapping) -> dict[str, np.ndarray]:
    return {}


@dataclass(frozen=True)
class Cell:
    """A cell type, as the rest of the app sees it."""

    name: str  # the name in model files and in the stream ("lstm")
    title: str  # for people ("LSTM")
    record: type[StepRecord]  # what a step returns; its GATES, STATES, EXTRAS name the frame's vectors
    gate_blocks: int  # G: weight matrices hold G stacked (H, ·) blocks
    zero_state: Callable[[int, np.dtype], Any]  # (hidden, dtype) -> the state before the first step
    step_projected: Callable[[Any, Any, np.ndarray], StepRecord]  # (params, state, zx_t) -> record
    # (params, xs (T, X), records of the layer below or None) -> zx (T, ·)
    input_projection: Callable[[Any, np.ndarray, Sequence[StepRecord] | None], np.ndarray] = project_inputs
    # (params, state, zx (T, ·)) -> records: the same as step_projected row by row with no
    # fixes, only faster (a tight loop over preallocated arrays); None: the plain loop.
    # zx is the trace's own array, which it may overwrite.
    trace_unfixed: Callable[[Any, Any, np.ndarray], list[StepRecord]] | None = None

    # The model file. Layer keys are relative to the `rnn.` module, as in a state_dict.
    extra_shapes: Callable[[int, int, int, Mapping], dict[str, tuple[int, ...]]] = no_extra_shapes
    params_from_arrays: Callable[[Mapping[str, np.ndarray], int, Mapping], Any] = weights_from_arrays
    params_to_arrays: Callable[[Any, int], dict[str, np.ndarray]] = weights_to_arrays
    # Model-wide choices: read from a file's arrays (whole keys; raise InvalidOption),
    # described for the stream's meta (JSON), and written back.
    read_options: Callable[[Mapping[str, np.ndarray], int], dict] = no_options_in_file
    options: Callable[[Any], dict] = no_options  # (layer-0 params) -> "cell_options"
    options_to_arrays: Callable[[Mapping], dict[str, np.ndarray]] = no_option_arrays

    @property
    def gates(self) -> tuple[str, ...]:
        return self.record.GATES

    @property
    def states(self) -> tuple[str, ...]:
        return self.record.STATES

    @property
    def extras(self) -> tuple[str, ...]:
        return self.record.EXTRAS

    def layer_shapes(self, layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
        """Every array layer `layer` reads from a model file, by key, with its shape."""
        shapes = weight_shapes(layer, self.gate_blocks, hidden, inputs)
        return shapes | self.extra_shapes(layer, hidden, inputs, options)

    def trace(
        self,
        params: Any,
        xs: np.ndarray,
        state: Any,
        below: Sequence[StepRecord] | None = None,
        fixes: Callable[[int], Fix] | None = None,
    ) -> list[StepRecord]:
        """Run the cell over a whole sequence xs (T, X) from `state`; `below` holds the
        records of the layer underneath for the same steps (None for the bottom layer);
        `fixes(k)`, when given, is the intervention at step k (see `keep`)."""
        zxs = self.input_projection(params, xs, below)
        if fixes is None and self.trace_unfixed is not None:
            return self.trace_unfixed(params, state, zxs)
        records = []
        for k, zx in enumerate(zxs):
            record = (
                self.step_projected(params, state, zx, fixes(k)) if fixes else self.step_projected(params, state, zx)
            )
            records.append(record)
            state = record.state()
        return records


__all__ = ["Cell", "Fix", "InvalidOption", "StepRecord", "Weights", "keep"]
