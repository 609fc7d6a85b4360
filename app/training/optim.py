"""Adam (Kingma & Ba 2015) with global gradient-norm clipping, over a dict of arrays.

g ← g · min(1, max_norm / ‖g‖)          ‖g‖ over every parameter together
m ← β₁m + (1 − β₁)g      v ← β₂v + (1 − β₂)g²
θ ← θ − lr · m̂ / (√v̂ + ε),  m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Params = dict[str, np.ndarray]


def clip_grad_norm(grads: Params, max_norm: float) -> float:
    """Scale all gradients together so their joint L2 norm is at most max_norm (in
    place, as torch.nn.utils.clip_grad_norm_). Returns the norm before clipping."""
    norm = float(np.sqrt(sum(float(np.vdot(g, g)) for g in grads.values())))
    if norm > max_norm:
        for g in grads.values():
            g *= max_norm / (norm + 1e-6)
    return norm


def decay_forget_bias(params: Params, grads: Params, forget_rows: slice, decay: float) -> None:
    """L2 on the forget-gate biases (`forget_rows` of every layer's biases, where the
    cell's gate_rows place f), added to their gradients in place: g_b += decay · b,
    pulling f's resting value toward σ(0) = ½ so a cell keeps its content only where its
    input says to."""
    for key, value in params.items():
        if key.startswith(("rnn.bias_ih_l", "rnn.bias_hh_l")):
            grads[key][forget_rows] += decay * value[forget_rows]


@dataclass
class Adam:
    lr: float = 2e-3  # a little above PyTorch's 1e-3: small recurrent nets tolerate it and learn faster
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    t: int = 0
    m: Params = field(default_factory=dict)
    v: Params = field(default_factory=dict)

    def update(self, params: Params, grads: Params) -> None:
        """One step, changing params in place."""
        self.t += 1
        correction1 = 1.0 - self.beta1**self.t
        correction2 = 1.0 - self.beta2**self.t
        for key, g in grads.items():
            m = self.m.setdefault(key, np.zeros_like(g))
            v = self.v.setdefault(key, np.zeros_like(g))
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            params[key] -= (self.lr / correction1) * m / (np.sqrt(v / correction2) + self.eps)
