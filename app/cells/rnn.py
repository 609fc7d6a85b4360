"""The plain RNN the article starts from: its repeating module is a single tanh layer.

    h_t = tanh(W · [h_{t-1}, x_t] + b)

As in PyTorch's nn.RNN (nonlinearity "tanh"): W splits into W_ih (H, X) and W_hh (H, H),
one gate block (G = 1), and b = b_ih + b_hh. Its failure to carry information across
long gaps (vanishing gradients through the chain) is what the LSTM was built to fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np

from app.cells.base import Cell, StepRecord
from app.cells.weights import DTYPE, Weights, preactivation


class HiddenState(NamedTuple):
    h: np.ndarray  # (H,)  h_{t-1}, the only state of an RNN or a GRU


@dataclass(frozen=True)
class RNNStep(StepRecord):
    STATES: ClassVar[tuple[str, ...]] = ("h",)

    h: np.ndarray  # (H,)  h_t

    def state(self) -> HiddenState:
        return HiddenState(self.h)


def zero_hidden_state(hidden_size: int, dtype: np.dtype = DTYPE) -> HiddenState:
    return HiddenState(np.zeros(hidden_size, dtype))


def step_projected(params: Weights, state: HiddenState, zx: np.ndarray) -> RNNStep:
    return RNNStep(h=np.tanh(preactivation(params, state.h, zx)))


RNN = Cell(
    name="rnn",
    title="Plain RNN",
    record=RNNStep,
    gate_blocks=1,
    zero_state=zero_hidden_state,
    step_projected=step_projected,
)
