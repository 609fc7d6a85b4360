"""Backpropagation through time for the LSTM with peepholes (app/cells/peephole.py): the
LSTM's passes (lstm.py) with these extra terms for each peephole the layer has:

    forward:   z_f += p_f * C_{t-1}     z_i += p_i * C_{t-1}     z_o += p_o * C_t
    backward:  dC_t     += dz_o * p_o            (o reads the new C_t)
               dC_{t-1} += dz_f * p_f + dz_i * p_i
               dp_f = Σ dz_f * C_{t-1},  dp_i = Σ dz_i * C_{t-1},  dp_o = Σ dz_o * C_t

Which peepholes (any subset of f, i, o; all by default) is the model's option "peepholes";
the layer has the arrays `peephole_f` … for those only (initialized U(±1/√H)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from app.cells.peephole import PEEPHOLE_GATES, check_options
from app.training.backprop.lstm import LSTM


def options(given: Mapping, hidden: int) -> dict:
    if set(given) - {"peepholes"}:
        raise ValueError(f"a peephole LSTM takes only 'peepholes'; got {', '.join(given)}")
    gates = check_options({"peepholes": given.get("peepholes", PEEPHOLE_GATES)})
    return {"peepholes": [gate for gate in PEEPHOLE_GATES if gate in gates]}


PEEPHOLE = replace(LSTM, name="peephole", options=options)
