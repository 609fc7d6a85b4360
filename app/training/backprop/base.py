"""What every trainable layer provides.

Arrays are time-major: xs (T, B, X) holds T steps of a batch of B sequences, so the
step-t slice xs[t] is contiguous. A layer's parameters are a dict under the model file's
names without the `rnn.` prefix and the layer suffix: nn.RNN / nn.LSTM / nn.GRU's four
(weight_ih, weight_hh, bias_ih, bias_hh) and any a cell adds (peephole_f, depth_bias, …);
its gradients come back under the same names. Both biases are kept, as in PyTorch, so
gradients compare one to one with autograd's.

    forward(params, xs, state, below)             -> hs (T, B, H), cache, last state
    backward(params, cache, dhs, need_dxs, dlink) -> grads, dxs (None unless need_dxs), dlink below

`dhs` is ∂loss/∂h_t from above (the decoder or the next layer); the gradient that flows
back through the recurrence is added inside. Truncated BPTT: the state a window starts
from is a constant, so no gradient leaves the window.

A cell that links layers beyond h (the depth-gated LSTM: a gate reads the cell state of
the layer below) reads the layer below's cache as `below`, and sends the gradient of the
loss with respect to what it read back as "dlink below", which the layer below gets as
`dlink`. Every other cell ignores `below`, gets dlink = None and returns None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.cells import get_cell
from app.cells.weights import weight_shapes

LayerParams = dict[str, np.ndarray]
State = tuple[np.ndarray, ...]  # (h,) or (c, h), each (B, H); the clockwork RNN adds its clock (B,)


def zero_float_state(size: int) -> Callable[[int, int, Any], State]:
    """`size` zero (B, H) arrays: h, or C and h."""
    return lambda batch, hidden, dtype: tuple(np.zeros((batch, hidden), dtype) for _ in range(size))


def no_options(given: Mapping, hidden: int) -> dict:
    if given:
        raise ValueError(f"this cell takes no options; got {', '.join(given)}")
    return {}


@dataclass(frozen=True)
class LayerBackprop:
    name: str  # the cell's name in app/cells and in model files
    forward: Callable[..., tuple[np.ndarray, Any, State]]
    backward: Callable[..., tuple[LayerParams, np.ndarray | None, np.ndarray | None]]
    zero_state_of: Callable[[int, int, Any], State]  # (batch, hidden, dtype) -> the state before a sequence
    adjust_init: Callable[[LayerParams, int], None] = lambda params, hidden: None  # change fresh params in place
    forget_rows: Callable[[int], slice] | None = (
        None  # hidden -> the forget gate's rows in the biases; None: no forget gate
    )
    # The model-wide choices (the cell's options in a model file: peepholes, GRU form,
    # clock periods), checked and with defaults filled in from (given, hidden) ...
    options: Callable[[Mapping, int], dict] = no_options
    # ... and this layer for them (a GRU of the article's form, a clock with these periods).
    specialize: Callable[[LayerBackprop, Mapping], LayerBackprop] = lambda layer, options: layer

    @property
    def cell(self):
        return get_cell(self.name)

    def zero_state(self, batch: int, hidden: int, dtype=np.float32) -> State:
        return self.zero_state_of(batch, hidden, dtype)

    def init_params(
        self, rng: np.random.Generator, inputs: int, hidden: int, layer: int = 0, options: Mapping | None = None
    ) -> LayerParams:
        """PyTorch's initialization, U(-1/√H, 1/√H), for every array the model file holds
        for this layer: nn.RNN's four first (so an LSTM draws what PyTorch would), then
        any the cell adds (app/cells' layer_shapes), in their order."""
        bound = 1.0 / np.sqrt(hidden)
        gate_blocks = self.cell.gate_blocks
        rows = gate_blocks * hidden
        params = {
            "weight_ih": rng.uniform(-bound, bound, (rows, inputs)),
            "weight_hh": rng.uniform(-bound, bound, (rows, hidden)),
            "bias_ih": rng.uniform(-bound, bound, rows),
            "bias_hh": rng.uniform(-bound, bound, rows),
        }
        shapes = self.cell.layer_shapes(layer, hidden, inputs, options or {})
        common = weight_shapes(layer, gate_blocks, hidden, inputs)
        for key in [key for key in shapes if key not in common]:
            params[key.removesuffix(f"_l{layer}")] = rng.uniform(-bound, bound, shapes[key])
        params = {key: value.astype(np.float32) for key, value in params.items()}
        self.adjust_init(params, hidden)
        return params


def input_projection(xs: np.ndarray, weight_ih: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """zx = W_ih · x_t + b for every step at once, (T, B, X) -> (T, B, G·H); as one 2-D
    product, which BLAS does several times faster than a stack of T small ones."""
    steps, batch, inputs = xs.shape
    return (xs.reshape(-1, inputs) @ weight_ih.T + bias).reshape(steps, batch, -1)


def input_side_grads(dzx: np.ndarray, xs: np.ndarray, weight_ih: np.ndarray, need_dxs: bool):
    """For zx = W_ih · x_t + b_ih over all steps at once: dW_ih, db_ih and dxs (or None
    when nothing below needs it, as for one-hot inputs)."""
    rows, inputs = weight_ih.shape
    flat = dzx.reshape(-1, rows)  # (T·B, G·H)
    d_weight = flat.T @ xs.reshape(-1, inputs)  # (G·H, X)
    dxs = (flat @ weight_ih).reshape(xs.shape) if need_dxs else None
    return d_weight, flat.sum(axis=0), dxs


def hidden_side_grads(dzh: np.ndarray, h_prev: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For zh_t = W_hh · h_{t-1} + b_hh over all steps: dW_hh and db_hh."""
    rows = dzh.shape[-1]
    flat = dzh.reshape(-1, rows)  # (T·B, G·H)
    return flat.T @ h_prev.reshape(-1, h_prev.shape[-1]), flat.sum(axis=0)


def per_unit_grad(dz: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For a per-unit (diagonal) weight w in z_t = … + w * v_t: dw = Σ_t,b dz_t * v_t, (H,)."""
    return np.einsum("tbh,tbh->h", dz, values)
