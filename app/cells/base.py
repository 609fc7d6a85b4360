"""What every cell provides, so models, tracing, training, the gradient view and the page
treat them alike. A cell is one module of app/cells that declares all of it:

    its step              record_t = step_projected(params, state, zx_t), on (H,) or a batch (B, H)
    its backward pass     grads = backward(params, tape, ∂L/∂h)   (backpropagation through time)
    its one-step Jacobian ∂s_t/∂s_{t-1}, ∂s_t/∂x_t                (the gradient-flow view)
    its figures           the diagram that draws it and the Four steps' equations (equations.py)
    its layers' sums      each yellow box's W · [h_{t-1}, x_t] + b for one unit, opened (sums.py)

Tracing a sequence is split in two, because only the recurrent half has to run step by step:

    zx_t = W_x · x_t + b                  input projection, all t at once   (T, ·) or (T, B, ·)
    record_t = step(p, state, zx_t)        the recurrence, one token at a time

Training runs the very same step over batches of windows, keeping the records on a tape
that the cell's backward pass reads. A layer of a stack reads the h_t of the layer below
as its x_t; a cell that links layers more tightly (the depth-gated LSTM) also gets the
records of the layer below.

A model file holds, per layer, nn.RNN's four arrays (app/cells/weights.py) and any a
cell adds (peepholes, depth gates); a cell may also read model-wide choices from it
(the GRU's formulation, the clockwork periods), its "options".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import DTypeLike

from app.cells.equations import Figure
from app.cells.weights import (
    DTYPE,
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

Grads = dict[str, np.ndarray]  # by the layer's array names without the layer suffix: weight_ih, peephole_f, …
Jacobians = tuple[np.ndarray, np.ndarray]  # (∂s_t/∂s_{t-1}, ∂s_t/∂x_t), s the record's STATES stacked


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

    h: np.ndarray  # every cell's output h_t (the last of STATES), a field of each subclass

    def state(self) -> Any:
        """The recurrent state this step hands to the next one."""
        raise NotImplementedError


@dataclass(frozen=True)
class Tape:
    """A layer's forward pass over a batch of windows, kept for its backward pass."""

    xs: np.ndarray  # (T, B, X)  the layer's inputs
    zx: np.ndarray  # (T, B, ·)  their projection, as input_projection made it
    start: Any  # the state the window started from, each vector (B, H)
    records: list  # one StepRecord per step, each vector (B, H)
    stacked: dict = field(default_factory=dict, repr=False, compare=False)  # name -> its stack, made once

    def stack(self, name: str) -> np.ndarray:
        """(T, B, H): one vector of the records over the window."""
        if name in type(self.records[0]).STATES:
            return self.with_start(name)[1:]
        if name not in self.stacked:
            self.stacked[name] = np.stack([getattr(record, name) for record in self.records])
        return self.stacked[name]

    def before(self, t: int) -> Any:
        """The state step t started from."""
        return self.records[t - 1].state() if t else self.start

    def stack_before(self, name: str) -> np.ndarray:
        """(T, B, H): a state vector as each step found it (C_{t-1}, h_{t-1})."""
        return self.with_start(name)[:-1]

    def with_start(self, name: str) -> np.ndarray:
        """(T+1, B, H): a state vector from the window's start through each step, one array
        whose [1:] and [:-1] are the stacks above (a copy made once, not twice)."""
        key = ("with start", name)
        if key not in self.stacked:
            self.stacked[key] = np.stack([getattr(self.start, name)] + [getattr(r, name) for r in self.records])
        return self.stacked[key]


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


def takes_no_options(given: Mapping, hidden: int) -> dict:
    if given:
        raise InvalidOption(f"this cell takes no options; got {', '.join(given)}")
    return {}


def nothing_to_constrain(arrays: dict[str, np.ndarray], hidden: int, options: Mapping) -> None:
    pass


@dataclass(frozen=True)
class Cell:
    """A cell type, as the rest of the app sees it."""

    name: str  # the name in model files and in the stream ("lstm")
    title: str  # for people ("LSTM")
    record: type[StepRecord]  # what a step returns; its GATES, STATES, EXTRAS name the frame's vectors
    gate_rows: tuple[str, ...]  # W's row blocks of H rows, in order: ("i", "f", "g", "o") for nn.LSTM's
    zero_state: Callable[..., Any]  # (hidden, dtype, batch=None) -> the state before the first step
    step_projected: Callable[..., StepRecord]  # (params, state, zx_t, fix=keep) -> record
    # (params, tape, dhs (T, B, H), need_dxs, dlink) -> (grads, dxs or None, dlink for the layer below or None):
    # backpropagation through time over a window; dhs is ∂L/∂h_t from above (the decoder or the next layer)
    backward: Callable[..., tuple[Grads, np.ndarray | None, np.ndarray | None]]
    # (params, prev: {state name: (H,)}, record, record of the layer below or None) -> Jacobians, in float64
    jacobian: Callable[..., Jacobians]
    figures: Callable[[Mapping], tuple[Figure, ...]]  # (options) -> bottom layer's figure, …; the last one
    # is every layer's above (the depth-gated LSTM's bottom layer has no depth gate)
    # (params, xs (T, X) or (T, B, X), records of the layer below (this cell's own) or None) -> zx (T, ·) or (T, B, ·)
    input_projection: Callable[[Any, np.ndarray, Sequence[Any] | None], np.ndarray] = project_inputs
    # (params, state, zx (T, ·)) -> records: the same as step_projected row by row with no
    # fixes, only faster (a tight loop over preallocated arrays); None: the plain loop.
    # zx is the trace's own array, which it may overwrite.
    trace_unfixed: Callable[[Any, Any, np.ndarray], list[StepRecord]] | None = None
    # (params, prev: {state name: (H,)}, record, x (X,), record of the layer below or None, unit)
    # -> [LayerSum, ...]: each learned layer's (yellow box's) sum for one unit at this step (sums.py)
    layer_sums: Callable[..., list] | None = None

    # The model file. Layer keys are relative to the `rnn.` module, as in a state_dict.
    extra_shapes: Callable[[int, int, int, Mapping], dict[str, tuple[int, ...]]] = no_extra_shapes
    # (arrays, layer, options, dtype=DTYPE; None keeps the arrays' own, as training does) -> params
    params_from_arrays: Callable[..., Any] = weights_from_arrays
    params_to_arrays: Callable[[Any, int], dict[str, np.ndarray]] = weights_to_arrays
    # Model-wide choices: read from a file's arrays (whole keys; raise InvalidOption),
    # described for the stream's meta (JSON), and written back.
    read_options: Callable[[Mapping[str, np.ndarray], int], dict] = no_options_in_file
    options: Callable[[Any], dict] = no_options  # (layer-0 params) -> "cell_options"
    options_to_arrays: Callable[[Mapping], dict[str, np.ndarray]] = no_option_arrays
    # (given, hidden) -> the options checked, every one not given at its default (all
    # peepholes, nn.GRU's form, as many clock modules as split H); raises InvalidOption
    check_options: Callable[[Mapping, int], dict] = takes_no_options
    # Training: what a freshly drawn layer must satisfy, set in place (the clockwork mask)
    constrain: Callable[[dict[str, np.ndarray], int, Mapping], None] = nothing_to_constrain

    @property
    def gates(self) -> tuple[str, ...]:
        return self.record.GATES

    @property
    def states(self) -> tuple[str, ...]:
        return self.record.STATES

    @property
    def extras(self) -> tuple[str, ...]:
        return self.record.EXTRAS

    @property
    def gate_blocks(self) -> int:
        """G: weight matrices hold G stacked (H, ·) blocks."""
        return len(self.gate_rows)

    def rows(self, block: str, hidden: int) -> slice:
        """Where gate block `block` ("f") lies in W's rows and b."""
        k = self.gate_rows.index(block)
        return slice(k * hidden, (k + 1) * hidden)

    @property
    def has_forget_gate(self) -> bool:
        return "f" in self.gate_rows

    def default_options(self, hidden: int) -> dict:
        """Every optional part switched on."""
        return self.check_options({}, hidden)

    def figure(self, options: Mapping, layer: int) -> Figure:
        figures = self.figures(options)
        return figures[min(layer, len(figures) - 1)]

    def layer_shapes(self, layer: int, hidden: int, inputs: int, options: Mapping) -> dict[str, tuple[int, ...]]:
        """Every array layer `layer` reads from a model file, by key, with its shape."""
        shapes = weight_shapes(layer, self.gate_blocks, hidden, inputs)
        return shapes | self.extra_shapes(layer, hidden, inputs, options)

    def steps(self, params: Any, state: Any, zx: np.ndarray, fixes: Callable[[int], Fix] | None = None) -> list:
        """step_projected over every row of zx: the plain loop a trace with interventions,
        and training, run."""
        records = []
        for k, zx_t in enumerate(zx):
            record = (
                self.step_projected(params, state, zx_t, fixes(k))
                if fixes
                else self.step_projected(params, state, zx_t)
            )
            records.append(record)
            state = record.state()
        return records

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
        return self.steps(params, state, zxs, fixes)

    def forward(self, params: Any, xs: np.ndarray, state: Any, below: Tape | None = None) -> Tape:
        """Training's forward pass: the layer over a batch of windows xs (T, B, X) from
        `state`, step by step with the same step a trace runs."""
        zx = self.input_projection(params, xs, None if below is None else below.records)
        return Tape(xs, zx, state, self.steps(params, state, zx))

    def init_arrays(
        self, rng: np.random.Generator, inputs: int, hidden: int, layer: int, options: Mapping
    ) -> dict[str, np.ndarray]:
        """PyTorch's initialization, U(-1/√H, 1/√H), for every array the model file holds
        for this layer (by key without the layer suffix): nn.RNN's four first (so an LSTM
        draws what PyTorch would), then any the cell adds, in their order; then, where the
        cell has a forget gate, b_f += 1 (Jozefowicz et al. 2015), so the belt keeps what
        it holds until training teaches it to drop something."""
        bound = 1.0 / np.sqrt(hidden)
        rows = self.gate_blocks * hidden
        arrays = {
            "weight_ih": rng.uniform(-bound, bound, (rows, inputs)),
            "weight_hh": rng.uniform(-bound, bound, (rows, hidden)),
            "bias_ih": rng.uniform(-bound, bound, rows),
            "bias_hh": rng.uniform(-bound, bound, rows),
        }
        common = weight_shapes(layer, self.gate_blocks, hidden, inputs)
        for key, shape in self.layer_shapes(layer, hidden, inputs, options).items():
            if key not in common:
                arrays[key.removesuffix(f"_l{layer}")] = rng.uniform(-bound, bound, shape)
        arrays = {key: value.astype(DTYPE) for key, value in arrays.items()}
        if self.has_forget_gate:
            arrays["bias_ih"][self.rows("f", hidden)] += 1.0
        self.constrain(arrays, hidden, options)
        return arrays


def zeros(count: int) -> Callable[..., tuple[np.ndarray, ...]]:
    """`count` zero vectors (H,), or (B, H) for a batch of B."""

    def make(hidden: int, dtype: DTypeLike = DTYPE, batch: int | None = None) -> tuple[np.ndarray, ...]:
        shape = (hidden,) if batch is None else (batch, hidden)
        return tuple(np.zeros(shape, dtype) for _ in range(count))

    return make


__all__ = ["Cell", "Fix", "InvalidOption", "StepRecord", "Tape", "Weights", "keep"]
