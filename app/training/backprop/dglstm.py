"""Backpropagation through time for the depth-gated LSTM (app/cells/dglstm.py): above the
bottom layer (a plain LSTM), the LSTM's passes (lstm.py) with the depth gate's terms, where
C_t^{L-1} is the cell state of the layer below and x_t = h_t^{L-1}:

    forward:   d_t = σ(W_xd·x_t + w_cd * C_t^{L-1} + w_ld * C_{t-1} + b_d)
               C_t += d_t * C_t^{L-1}
    backward:  dz_d = dC_t * C_t^{L-1} * d(1 − d)
               dC_{t-1} += dz_d * w_ld
               dx_t += W_xdᵀ · dz_d
               ∂L/∂C_t^{L-1} = dC_t * d_t + dz_d * w_cd        (the layer below's dlink)
               dW_xd = Σ dz_d x_tᵀ, dw_cd = Σ dz_d * C_t^{L-1}, dw_ld = Σ dz_d * C_{t-1}, db_d = Σ dz_d

The layer below adds its dlink to dC_t at every step, so the loss reaches the lower belt
both through h (as in any stack) and straight through the depth gate. Depth arrays are
initialized U(±1/√H), like every other weight.
"""

from __future__ import annotations

from dataclasses import replace

from app.training.backprop.lstm import LSTM

DGLSTM = replace(LSTM, name="dglstm")
