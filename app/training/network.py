"""The whole trainable network, as the app's Model runs it: token ids → embedding (or
one-hot) → a stack of recurrent layers → decoder → softmax cross-entropy.

Parameters live in one dict under the model file's names (`encoder.weight`,
`rnn.weight_ih_l0`, …, `decoder.weight`), so saving is a rename at most.

The loss is the mean cross-entropy over the positions that have a target: every
position for a language model, only the marked ones for a task (targets < 0 are
ignored, like PyTorch's ignore_index). With p = softmax(W_d·h_t + b_d) and y the target,
    L = −(1/N) Σ_marked log p_y,      ∂L/∂logits = (p − onehot(y)) / N
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.cells import Cell, Tape, get_cell

IGNORE = -1  # target of a position that carries no loss

Params = dict[str, np.ndarray]
State = Any  # a layer's state as its cell defines it (LSTMState, ...), each vector (B, H)


@dataclass(frozen=True)
class Shape:
    cell: str  # any cell of app/cells: "lstm", "rnn", "gru", "peephole", "cifg", "dglstm", "cwrnn"
    vocab: int  # V
    hidden: int  # H per layer
    layers: int = 1
    embed: int | None = None  # E; None: one-hot inputs (X = V), fine for characters
    # The cell's model-wide choices, as its model file's options (peepholes, gru_variant,
    # periods); checked, and missing ones filled in with their defaults, on construction.
    options: Mapping = field(default_factory=dict)

    def __post_init__(self):
        object.__setattr__(self, "options", self.cell_type.check_options(self.options, self.hidden))

    @property
    def cell_type(self) -> Cell:
        """The cell (app/cells), which both runs each layer and backpropagates through it."""
        return get_cell(self.cell)


@dataclass(frozen=True)
class Outcome:
    """One forward (and backward) pass over a window."""

    loss: float  # mean cross-entropy in nats over the marked positions
    count: int  # N, marked positions
    correct: int  # marked positions where the most probable token is the target
    states: list[State]  # each layer's state after the window, to carry on
    grads: Params | None = None


def layer_params(shape: Shape, params: Params, layer: int) -> Any:
    """Layer `layer`'s arrays (`rnn.weight_ih_l0`, …) as its cell's parameters, in the
    arrays' own dtype: float32, or float64 for the gradient checks."""
    arrays = {key.removeprefix("rnn."): value for key, value in params.items() if key.startswith("rnn.")}
    return shape.cell_type.params_from_arrays(arrays, layer, shape.options, dtype=None)


def init_params(shape: Shape, seed: int) -> Params:
    """PyTorch's defaults: embedding N(0, 1); recurrent and decoder weights U(±1/√H)."""
    rng = np.random.default_rng(seed)
    params: Params = {}
    inputs = shape.vocab
    if shape.embed is not None:
        params["encoder.weight"] = rng.normal(0.0, 1.0, (shape.vocab, shape.embed)).astype(np.float32)
        inputs = shape.embed
    for layer in range(shape.layers):
        fresh = shape.cell_type.init_arrays(
            rng, inputs if layer == 0 else shape.hidden, shape.hidden, layer, shape.options
        )
        params.update({f"rnn.{key}_l{layer}": value for key, value in fresh.items()})
    bound = 1.0 / np.sqrt(shape.hidden)
    params["decoder.weight"] = rng.uniform(-bound, bound, (shape.vocab, shape.hidden)).astype(np.float32)
    params["decoder.bias"] = np.zeros(shape.vocab, np.float32)
    return params


def zero_states(shape: Shape, batch: int, dtype=np.float32) -> list[State]:
    return [shape.cell_type.zero_state(shape.hidden, dtype, batch) for _ in range(shape.layers)]


def window_states(shape: Shape, batch, states: list[State] | None, dtype=np.float32) -> list[State]:
    """The state a window starts from: zero, unless it carries on from the last one;
    then with the streams it resets (batch.reset) set back to the zero state (every part
    of it along the batch axis: C and h (B, H), a clockwork RNN's clock (B,))."""
    zero = zero_states(shape, batch.ids.shape[1], dtype)
    if not batch.carry_state or states is None:
        return zero
    if batch.reset is None or not batch.reset.any():
        return states
    return [
        type(fresh)(
            *(
                np.where(batch.reset.reshape(-1, *(1,) * (part.ndim - 1)), start, part).astype(part.dtype)
                for part, start in zip(state, fresh, strict=True)
            )
        )
        for state, fresh in zip(states, zero, strict=True)
    ]


def embed(shape: Shape, params: Params, ids: np.ndarray) -> np.ndarray:
    """x_t for ids (T, B): embedding rows, or one-hot vectors (T, B, V)."""
    if shape.embed is not None:
        return params["encoder.weight"][ids]
    dtype = params["decoder.weight"].dtype
    return np.eye(shape.vocab, dtype=dtype)[ids]


def run_layers(shape: Shape, params: Params, ids: np.ndarray, states: list[State]):
    """Every layer over the window, each with its cell's own step; returns the top layer's
    hs (T, B, H), the tapes the backward pass reads, the new states, and each layer's hs
    (for unit labels)."""
    xs = embed(shape, params, ids)
    cell = shape.cell_type
    state_type = type(cell.zero_state(1))  # LSTMState, ...: a state given as a plain tuple is read as one
    tapes: list[Tape] = []
    new_states, layer_hs = [], []
    for layer, state in enumerate(states):
        below = tapes[-1] if tapes else None  # read only by a cell that links layers (dglstm)
        tape = cell.forward(layer_params(shape, params, layer), xs, state_type(*state), below)
        xs = tape.stack("h")  # (T, B, H): the layer's output, the next one's input
        tapes.append(tape)
        new_states.append(tape.records[-1].state())
        layer_hs.append(xs)
    return xs, tapes, new_states, layer_hs


def sum_rows_by_id(ids: np.ndarray, rows: np.ndarray, vocab: int) -> np.ndarray:
    """out[v] = Σ rows[k] over the k with ids[k] = v: the embedding's gradient, as
    np.add.at would give it, but sorted and summed in runs (np.add.at is ~10× slower)."""
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    starts = np.flatnonzero(np.r_[True, sorted_ids[1:] != sorted_ids[:-1]])  # first row of each id's run
    out = np.zeros((vocab, rows.shape[1]), rows.dtype)
    out[sorted_ids[starts]] = np.add.reduceat(rows[order], starts, axis=0)
    return out


def log_softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=-1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))


def step(
    shape: Shape, params: Params, ids: np.ndarray, targets: np.ndarray, states: list[State], grad: bool = True
) -> Outcome:
    """Forward over a window ids (T, B) with targets (T, B), and backward if `grad`."""
    top, tapes, new_states, _ = run_layers(shape, params, ids, states)
    marked = targets != IGNORE  # (T, B)
    count = int(marked.sum())
    if count == 0:
        zero = {key: np.zeros_like(value) for key, value in params.items()} if grad else None
        return Outcome(0.0, 0, 0, new_states, zero)
    h_marked = top[marked]  # (N, H)
    y = targets[marked]  # (N,)
    logp = log_softmax(h_marked @ params["decoder.weight"].T + params["decoder.bias"])  # (N, V)
    loss = -float(logp[np.arange(count), y].mean())
    correct = int((logp.argmax(axis=1) == y).sum())
    if not grad:
        return Outcome(loss, count, correct, new_states)

    dlogits = np.exp(logp)  # p
    dlogits[np.arange(count), y] -= 1.0
    dlogits /= count  # (N, V)
    grads: Params = {
        "decoder.weight": dlogits.T @ h_marked,  # (V, H)
        "decoder.bias": dlogits.sum(axis=0),
    }
    dhs = np.zeros_like(top)
    dhs[marked] = dlogits @ params["decoder.weight"]  # (N, H)
    dlink = None  # ∂L/∂ what the layer above read of this one besides h (dglstm: C_t)
    for layer in reversed(range(shape.layers)):
        need_dxs = layer > 0 or shape.embed is not None  # one-hot inputs need no gradient
        layer_grads, dhs, dlink = shape.cell_type.backward(
            layer_params(shape, params, layer), tapes[layer], dhs, need_dxs, dlink
        )
        grads.update({f"rnn.{key}_l{layer}": value for key, value in layer_grads.items()})
    if shape.embed is not None:
        grads["encoder.weight"] = sum_rows_by_id(ids.ravel(), dhs.reshape(-1, shape.embed), shape.vocab)
    return Outcome(loss, count, correct, new_states, grads)
