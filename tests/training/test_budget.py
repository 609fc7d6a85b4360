"""Parameter counts, worked out by hand from each cell's equations, and the hidden size
that spends a budget."""

import pytest

from app.training.budget import fit_hidden, trainable_parameters
from app.training.network import Shape

V = 10  # one-hot inputs: X = V for layer 0


def decoder(hidden: int) -> int:
    return V * hidden + V  # W_d (V, H) and b_d (V,)


def gated(blocks: int, inputs: int, hidden: int) -> int:
    """G gate blocks, each W·[h_{t-1}, x_t] and two bias vectors (PyTorch keeps b_ih and b_hh)."""
    return blocks * hidden * (inputs + hidden + 2)


@pytest.mark.parametrize("cell,options,expected", [
    ("rnn", {}, gated(1, V, 6)),
    ("lstm", {}, gated(4, V, 6)),
    ("cifg", {}, gated(3, V, 6)),  # no input-gate block: i = 1 − f
    ("gru", {}, gated(3, V, 6)),
    ("gru", {"gru_variant": "article"}, gated(3, V, 6)),
    ("peephole", {"peepholes": ["f", "i", "o"]}, gated(4, V, 6) + 3 * 6),  # one weight per unit and peephole
    ("peephole", {"peepholes": ["o"]}, gated(4, V, 6) + 6),
    # Periods 1 and 2, modules of 3 units: the fast module reads both, the slow one only
    # itself, so one 3 × 3 block of W_hh is never used.
    ("cwrnn", {"periods": [1, 2]}, gated(1, V, 6) - 3 * 3),
])  # fmt: skip
def test_one_layer_counts_match_the_cells_equations(cell, options, expected):
    assert trainable_parameters(Shape(cell, V, 6, options=options)) == expected + decoder(6)


def test_a_depth_gated_stack_adds_its_depth_gate_above_the_first_layer():
    hidden = 4
    depth_gate = hidden * hidden + 3 * hidden  # W_xd (H, H) from the layer's input, w_cd, w_ld, b_d per unit
    expected = gated(4, V, hidden) + gated(4, hidden, hidden) + depth_gate + decoder(hidden)
    assert trainable_parameters(Shape("dglstm", V, hidden, layers=2)) == expected


def test_an_embedding_counts_too():
    assert trainable_parameters(Shape("rnn", V, 6, embed=3)) == V * 3 + gated(1, 3, 6) + decoder(6)


@pytest.mark.parametrize("cell,layers", [("rnn", 1), ("gru", 1), ("cwrnn", 1), ("dglstm", 2), ("lstm", 2)])
def test_the_fitted_hidden_size_is_the_closest_to_the_budget(cell, layers):
    budget = trainable_parameters(Shape("lstm", 96, 64))  # the variants task's budget
    fitted = fit_hidden(Shape(cell, 96, 8, layers), budget)
    gap = abs(trainable_parameters(fitted) - budget)
    for other in (fitted.hidden - 4, fitted.hidden - 2, fitted.hidden + 2, fitted.hidden + 4):
        try:
            neighbour = Shape(cell, 96, other, layers, options=fitted.options)
        except ValueError:  # a clockwork RNN's modules do not split these units
            continue
        assert abs(trainable_parameters(neighbour) - budget) >= gap
    assert gap < 0.02 * budget
    if cell == "cwrnn":
        assert fitted.hidden % 4 == 0 and fitted.options["periods"] == [1, 2, 4, 8]


def test_a_plain_rnn_gets_more_units_than_an_lstm_of_the_same_budget():
    budget = trainable_parameters(Shape("lstm", 90, 40))
    assert fit_hidden(Shape("rnn", 90, 8), budget).hidden > 40 > fit_hidden(Shape("dglstm", 90, 8, 2), budget).hidden
