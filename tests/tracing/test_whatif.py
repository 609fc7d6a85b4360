"""What-if interventions: clamps, knock-outs and weight edits change the steps from their start on."""

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from app.models.registry import ModelRegistry
from app.tracing.session import TraceSession
from app.tracing.whatif import (
    Clamp,
    InterventionError,
    Interventions,
    WeightEdit,
    check,
)
from tests.helpers import tiny_model

TEXT = "i grew up in france"


def trace(model, interventions=None, parts=(TEXT,)):
    session = TraceSession(model, interventions=interventions)
    steps = []
    for part in parts:
        steps += session.run(session.tokenize(part))
    return steps


def test_an_open_forget_gate_and_a_shut_input_gate_hold_the_belt_from_that_step_on():
    model = tiny_model()
    plain = trace(model)
    held = trace(
        model, Interventions(clamps=[Clamp(vector="f", value=1.0, start=6), Clamp(vector="i", value=0.0, start=6)])
    )
    for t in range(6):  # before the clamps: untouched
        assert_array_equal(held[t].layers[0].c, plain[t].layers[0].c)
    for t in range(6, len(TEXT)):  # after: C stays as it was at t = 5
        assert_array_equal(held[t].layers[0].c, plain[5].layers[0].c)
        assert_array_equal(held[t].layers[0].f, np.ones(5, np.float32))
    assert not np.allclose(held[-1].predictions[1], plain[-1].predictions[1])


def test_a_clamp_on_one_unit_leaves_the_others_computed():
    model = tiny_model()
    held = trace(model, Interventions(clamps=[Clamp(vector="o", value=0.25, unit=2)]))
    assert all(step.layers[0].o[2] == 0.25 for step in held)
    assert len({round(float(step.layers[0].o[0]), 6) for step in held}) > 3


def test_knocking_out_a_unit_zeroes_its_output_for_every_cell():
    for name in ("lstm-demo", "rnn-demo", "gru-demo", "cwrnn-demo", "dglstm-demo", "peephole-demo", "cifg-demo"):
        model = ModelRegistry().get(name)
        steps = trace(model, Interventions(clamps=[Clamp(vector="h", value=0.0, unit=3)]))
        assert all(step.layers[-1].h[3] == 0 for step in steps), name


def test_interventions_continue_across_appends():
    model = tiny_model(layers=2)
    interventions = Interventions(
        clamps=[Clamp(vector="f", value=0.0, start=4, layer=1)],
        weights=[WeightEdit(layer=0, matrix="weight_hh", row=1, column=2, value=3.0, start=7)],
    )
    whole = trace(model, interventions)
    pieces = trace(model, interventions, ("i gr", "ew up", " in france"))
    for a, b in zip(whole, pieces):
        for ra, rb in zip(a.layers, b.layers):
            assert_allclose(ra.h, rb.h, rtol=1e-6, atol=1e-7)


def test_a_weight_edit_changes_only_the_steps_after_it():
    model = tiny_model()
    plain = trace(model)
    edited = trace(model, Interventions(weights=[WeightEdit(matrix="bias", row=7, value=5.0, start=9)]))
    assert all(np.array_equal(a.layers[0].h, b.layers[0].h) for a, b in zip(plain[:9], edited[:9]))
    assert not np.allclose(plain[9].layers[0].h, edited[9].layers[0].h)
    assert model.layers[0].bias[7] != 5.0  # the model itself is left as it was


def test_an_edit_of_w_hh_changes_the_steps_after_it_despite_the_cached_transpose():
    model = tiny_model()
    _ = model.layers[0].weight_hh_t  # the layer's transposed W_hh, cached before the edit
    plain = trace(model)
    edited = trace(model, Interventions(weights=[WeightEdit(matrix="weight_hh", row=7, value=5.0, start=9)]))
    assert all(np.array_equal(a.layers[0].h, b.layers[0].h) for a, b in zip(plain[:9], edited[:9]))
    assert not np.allclose(plain[9].layers[0].h, edited[9].layers[0].h)


@pytest.mark.parametrize(
    ("interventions", "message"),
    [
        (Interventions(clamps=[Clamp(vector="z", value=1)]), "no vector 'z'"),
        (Interventions(clamps=[Clamp(vector="f", value=1, unit=99)]), "unit 99 is out of range"),
        (Interventions(weights=[WeightEdit(matrix="weight_hh", row=200, value=1)]), "has shape"),
        (Interventions(weights=[WeightEdit(layer=3, matrix="bias", row=0, value=1)]), "layer 3 is out of range"),
    ],
)
def test_interventions_on_what_the_model_lacks_are_refused(interventions, message):
    with pytest.raises(InterventionError, match=message):
        check(interventions, tiny_model())
