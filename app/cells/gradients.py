"""Pieces every cell's backward pass and one-step Jacobian share.

Backward passes run over a tape (app/cells/base.py): arrays are time-major, (T, B, ·),
so the step-t slice is contiguous. Gradients come back under the layer's array names
without the layer suffix (weight_ih, bias_hh, peephole_f, …); both biases are kept, as
in PyTorch, so they compare one to one with autograd's. Truncated BPTT: the state a
window starts from is a constant, so no gradient leaves the window.
"""

from __future__ import annotations

import numpy as np


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


def both_biases(d_bias: np.ndarray) -> dict[str, np.ndarray]:
    """A cell that adds b_ih + b_hh as one b: both get its gradient."""
    return {"bias_ih": d_bias, "bias_hh": d_bias.copy()}


def scale_rows(matrix: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """diag(scale) @ matrix, without building the diagonal (a Jacobian's chain rule)."""
    return scale[:, None] * matrix


def f64(array: np.ndarray) -> np.ndarray:
    """Jacobians are worked out in float64: products of many of them lose no digits."""
    return np.asarray(array, np.float64)
