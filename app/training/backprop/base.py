"""What every trainable layer provides.

Arrays are time-major: xs (T, B, X) holds T steps of a batch of B sequences, so the
step-t slice xs[t] is contiguous. A layer's parameters are a dict under nn.RNN / nn.LSTM /
nn.GRU's names without the layer suffix (weight_ih, weight_hh, bias_ih, bias_hh), and its
gradients come back under the same names. Both biases are kept, as in PyTorch, so
gradients compare one to one with autograd's.

    forward(params, xs, state)             -> hs (T, B, H), cache, last state
    backward(params, cache, dhs, need_dxs) -> grads, dxs (T, B, X) (None unless need_dxs)

`dhs` is ∂loss/∂h_t from above (the decoder or the next layer); the gradient that flows
back through the recurrence is added inside. Truncated BPTT: the state a window starts
from is a constant, so no gradient leaves the window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

LayerParams = dict[str, np.ndarray]
State = tuple[np.ndarray, ...]  # (h,) or (c, h), each (B, H)


@dataclass(frozen=True)
class LayerBackprop:
    name: str  # the cell's name in app/cells and in model files
    gate_blocks: int  # G: weight matrices stack G blocks of H rows, in PyTorch's order
    state_size: int  # how many (B, H) arrays the recurrent state holds
    forward: Callable[[LayerParams, np.ndarray, State], tuple[np.ndarray, Any, State]]
    backward: Callable[[LayerParams, Any, np.ndarray, bool], tuple[LayerParams, np.ndarray | None]]
    init_bias: Callable[[np.ndarray, int], None] = lambda bias, hidden: None  # adjust a fresh bias in place

    def zero_state(self, batch: int, hidden: int, dtype=np.float32) -> State:
        return tuple(np.zeros((batch, hidden), dtype) for _ in range(self.state_size))

    def init_params(self, rng: np.random.Generator, inputs: int, hidden: int) -> LayerParams:
        """PyTorch's initialization, U(-1/√H, 1/√H) for every weight and bias."""
        bound = 1.0 / np.sqrt(hidden)
        rows = self.gate_blocks * hidden
        params = {
            "weight_ih": rng.uniform(-bound, bound, (rows, inputs)),
            "weight_hh": rng.uniform(-bound, bound, (rows, hidden)),
            "bias_ih": rng.uniform(-bound, bound, rows),
            "bias_hh": rng.uniform(-bound, bound, rows),
        }
        params = {key: value.astype(np.float32) for key, value in params.items()}
        self.init_bias(params["bias_ih"], hidden)
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
