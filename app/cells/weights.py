"""The weights every cell has: the article's W · [h_{t-1}, x_t] + b, in nn.RNN's layout.

Each learned layer of a cell is a matrix W acting on the concatenation [h_{t-1}, x_t].
PyTorch (and so the model file) splits it into an x-part and an h-part,

    W · [h_{t-1}, x_t] + b  =  W_ih · x_t + W_hh · h_{t-1} + (b_ih + b_hh)

and stacks the G learned layers of a cell ("gate blocks") as row blocks of H rows:
nn.LSTM's rows are i, f, g (= C̃), o; nn.GRU's r, z, n; nn.RNN's one block is h itself.
Keys per layer k: weight_ih_l{k} (G·H, X), weight_hh_l{k} (G·H, H), bias_ih_l{k} and
bias_hh_l{k} (G·H,), summed into one b here (a cell that needs them apart keeps them apart).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import DTypeLike

DTYPE = np.float32  # the precision PyTorch trains and stores weights in


@dataclass(frozen=True)
class Weights:
    """One layer's W and b, split as nn.RNN splits them."""

    weight_ih: np.ndarray  # (G·H, X)  the x-part of W
    weight_hh: np.ndarray  # (G·H, H)  the h-part
    bias: np.ndarray  # (G·H,)  b_ih + b_hh

    @cached_property
    def weight_hh_t(self) -> np.ndarray:
        """W_hh transposed into its own C-ordered (H, G·H) array, made once per layer:
        h @ W_hhᵀ then runs OpenBLAS's sgemv_n, which is faster here than W_hh @ h's sgemv_t
        (benchmarks/README.md, trace vs PyTorch). Every step and every fast trace reads this
        one layout, so they sum in the same order and agree bit for bit."""
        return np.ascontiguousarray(self.weight_hh.T)

    def weight_hh_t_scaled(self, block_scales: tuple[float, ...]) -> np.ndarray:
        """(diag(s) · W_hh)ᵀ, where s repeats block_scales[k] over the rows of gate block k:
        a fast trace's W_hh with constants folded in (the LSTM's ½ for its sigmoids). Made
        once per layer and scales, like weight_hh_t, and scaled by powers of two only, so
        that h @ it equals s ⊙ (h @ W_hhᵀ) exactly."""
        cache = self.__dict__.setdefault("_weight_hh_t_scaled", {})  # per params object, as cached_property
        if block_scales not in cache:
            cache[block_scales] = self.weight_hh_t * self.row_scale(block_scales)
        return cache[block_scales]

    def row_scale(self, block_scales: tuple[float, ...]) -> np.ndarray:
        """(G·H,) block_scales[k] on every row of gate block k."""
        return np.repeat(np.asarray(block_scales, self.weight_hh.dtype), self.hidden_size)

    @property
    def hidden_size(self) -> int:
        return self.weight_hh.shape[1]

    @property
    def input_size(self) -> int:
        return self.weight_ih.shape[1]


def weight_shapes(layer: int, gate_blocks: int, hidden: int, inputs: int) -> dict[str, tuple[int, ...]]:
    """nn.RNN's four arrays of layer `layer`, by key, with their shapes."""
    rows = gate_blocks * hidden
    k = f"l{layer}"
    return {
        f"weight_ih_{k}": (rows, inputs),
        f"weight_hh_{k}": (rows, hidden),
        f"bias_ih_{k}": (rows,),
        f"bias_hh_{k}": (rows,),
    }


def weights_from_arrays(
    arrays: Mapping[str, np.ndarray], layer: int, options: Mapping | None = None, dtype: DTypeLike = DTYPE
) -> Weights:
    """Layer `layer` from a state_dict-like mapping with nn.RNN's key names, in `dtype`
    (None: the arrays' own, as training keeps them: float32, or float64 for its checks)."""
    w_ih, w_hh, b_ih, b_hh = layer_arrays(arrays, layer, dtype)
    return Weights(weight_ih=w_ih, weight_hh=w_hh, bias=b_ih + b_hh)


def layer_arrays(arrays: Mapping[str, np.ndarray], layer: int, dtype: DTypeLike = DTYPE) -> list[np.ndarray]:
    """W_ih, W_hh, b_ih, b_hh of layer `layer`."""
    return [np.asarray(arrays[f"{name}_l{layer}"], dtype) for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def weights_to_arrays(params: Weights, layer: int) -> dict[str, np.ndarray]:
    """The inverse of weights_from_arrays; the whole bias is stored as bias_ih."""
    k = f"l{layer}"
    return {
        f"weight_ih_{k}": params.weight_ih,
        f"weight_hh_{k}": params.weight_hh,
        f"bias_ih_{k}": params.bias,
        f"bias_hh_{k}": np.zeros_like(params.bias),
    }


def project_inputs(params: Weights, xs: np.ndarray, below=None) -> np.ndarray:
    """W_ih · x_t + b for every t at once: one matrix product for a whole text (T, X), or
    for a batch of windows (T, B, X) as one 2-D product, which BLAS does several times
    faster than a stack of T small ones. (`below`, the layer underneath's records, is
    read only by cells that link layers.)"""
    return linear(xs, params.weight_ih, params.bias)


def linear(xs: np.ndarray, weight: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """weight · x_t + bias for every x_t of xs (T, X) or (T, B, X)."""
    xs = np.asarray(xs, weight.dtype)
    flat = xs.reshape(-1, xs.shape[-1]) @ weight.T + bias  # (T·B, rows)
    return flat.reshape(*xs.shape[:-1], -1)


def blocks(array: np.ndarray, count: int) -> list[np.ndarray]:
    """The `count` equal gate blocks along the last axis, as views: np.split's result, for a
    fraction of its cost (a step's loop calls this a few hundred times a window)."""
    size = array.shape[-1] // count
    return [array[..., k * size : (k + 1) * size] for k in range(count)]


def preactivation(params: Weights, h_prev: np.ndarray, zx: np.ndarray) -> np.ndarray:
    """W · [h_{t-1}, x_t] + b for every gate block, given zx = W_ih · x_t + b; h_prev (H,)
    or a batch (B, H)."""
    return zx + np.dot(h_prev, params.weight_hh_t)  # (G·H,) or (B, G·H)  = W_hh · h_{t-1} + zx
