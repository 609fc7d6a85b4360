import dataclasses

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from app.models.model import NonFiniteError
from app.tracing.frames import step_frame
from app.tracing.session import TraceLimitError, TraceSession, check_finite
from tests.helpers import CELL_NAMES, tiny_model


def trace_text(model, *parts, top_k=3):
    session = TraceSession(model, top_k=top_k)
    steps = []
    for part in parts:
        steps += session.run(session.tokenize(part))
    return steps


def vectors(record):
    return {name: getattr(record, name) for name in record.GATES + record.STATES + record.EXTRAS}


@pytest.mark.parametrize("layers", [1, 3])
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_appending_continues_from_the_state_and_equals_the_whole_trace(cell, layers):
    model = tiny_model(cell=cell, layers=layers, hidden=6, options={"periods": [1, 2, 4]} if cell == "cwrnn" else None)
    whole = trace_text(model, "i grew up in France")
    pieces = trace_text(model, "i gr", "ew up", " ", "in France")  # cuts at t = 4, 9, 10: off the clock's ticks
    assert [s.t for s in pieces] == list(range(len(whole)))
    for a, b in zip(whole, pieces):
        assert a.token == b.token
        for ra, rb in zip(a.layers, b.layers, strict=True):
            assert type(ra) is type(rb)
            for name, values in vectors(ra).items():
                assert_allclose(values, getattr(rb, name), rtol=1e-5, atol=1e-6, err_msg=f"{name} at t={a.t}")
        assert_array_equal(a.predictions[0], b.predictions[0])
        assert_allclose(a.predictions[1], b.predictions[1], rtol=1e-5)


def test_an_append_never_recomputes_the_prefix(monkeypatch):
    model = tiny_model()
    session = TraceSession(model)
    session.run(session.tokenize("i grew"))
    seen = []
    original = model.cell.trace

    def counting_trace(self, params, xs, state, below=None, fixes=None):
        seen.append(len(xs))
        return original(params, xs, state, below, fixes)

    monkeypatch.setattr(type(model.cell), "trace", counting_trace)
    session.run(session.tokenize(" up"))
    assert seen == [3]  # only the three new tokens went through the cell


def test_each_layer_reads_the_h_of_the_layer_below():
    model = tiny_model(layers=2)
    steps = trace_text(model, "abc")
    lower_h = np.stack([s.layers[0].h for s in steps])
    upper = model.cell.trace(model.layers[1], lower_h, model.cell.zero_state(model.hidden_size, np.float32))
    assert_allclose(np.stack([r.h for r in upper]), np.stack([s.layers[1].h for s in steps]), rtol=1e-6)


def test_the_guesses_are_the_softmaxs_most_probable_tokens_best_first():
    model = tiny_model()
    steps = trace_text(model, "i grew up", top_k=4)
    full = model.next_token_probabilities(np.stack([s.layers[-1].h for s in steps]))  # (T, V), the plain softmax
    for step, p in zip(steps, full):
        ids, probabilities = step.predictions
        assert_array_equal(ids, np.argsort(-p, kind="stable")[:4])
        assert_allclose(probabilities, p[ids], rtol=1e-5)


def test_every_token_guessed_is_a_whole_distribution():
    model = tiny_model()
    (step,) = trace_text(model, "a", top_k=model.vocab_size)
    ids, probabilities = step.predictions
    assert sorted(ids.tolist()) == list(range(model.vocab_size))
    assert abs(probabilities.sum() - 1) < 1e-5 and (probabilities >= 0).all()
    assert (np.diff(probabilities) <= 0).all()


@pytest.mark.parametrize("max_bytes", [1, 2_000, 10**9])  # a row at a time, a few rows, all at once
def test_guesses_do_not_depend_on_how_many_rows_are_scored_at_once(max_bytes):
    model = tiny_model(hidden=8)
    steps = trace_text(model, "the clouds are in the sky", top_k=5)
    h = np.stack([s.layers[-1].h for s in steps])
    ids, probabilities = model.top_predictions(h, 5, max_bytes=max_bytes)
    assert_array_equal(ids, np.stack([s.predictions[0] for s in steps]))
    assert_allclose(probabilities, np.stack([s.predictions[1] for s in steps]), rtol=1e-6)


def overflowing(model, text="a"):
    """`model` with finite float32 decoder weights whose score for token 0 after reading
    `text` overflows float32: W₀·h + b₀ = 3e38·Σ|h| + 3e38."""
    h = TraceSession(model).run(model.tokenizer.encode(text))[-1].layers[-1].h
    weight, bias = model.decoder_weight.copy(), model.decoder_bias.copy()
    weight[0], bias[0] = 3e38 * np.sign(h), 3e38
    return dataclasses.replace(model, decoder_weight=weight, decoder_bias=bias)


def test_a_step_that_is_not_finite_is_refused_and_the_trace_stays_where_it_was():
    model = tiny_model()
    session = TraceSession(overflowing(model, "a"))
    with pytest.raises(NonFiniteError, match=r"NaN or an infinity \(the decoder's next-token scores overflow"):
        session.run(session.tokenize("ab"))
    assert session.t == 0
    assert not session.states[0].c.any() and not session.states[0].h.any()  # the zero state it started from


def test_any_vector_that_is_not_finite_is_named_with_its_step():
    model = tiny_model(layers=2)
    session = TraceSession(model)
    records = session.forward(np.array([1, 2, 3]))
    records[1][2] = dataclasses.replace(records[1][2], f=np.full(model.hidden_size, np.nan, np.float32))
    with pytest.raises(NonFiniteError, match=r"\(f of layer 1 at step 7\)"):
        check_finite(records, 5)
    check_finite(session.forward(np.array([1, 2, 3])), 0)  # a plain trace passes


def test_limits_are_checked_before_any_work():
    session = TraceSession(tiny_model(), max_tokens_per_message=5, max_tokens=8)
    with pytest.raises(TraceLimitError, match="at most 5 per message"):
        session.tokenize("abcdef")
    session.run(session.tokenize("abcde"))
    with pytest.raises(TraceLimitError, match="at most 8 tokens"):
        session.tokenize("abcd")
    assert session.t == 5


def test_a_frame_holds_every_vector_under_the_article_names():
    model = tiny_model(layers=2)
    (step,) = trace_text(model, "a")
    frame = step_frame(model, step, decimals=5)
    assert set(frame["gates"]) == {"f", "i", "c_tilde", "o"}
    assert len(frame["c"]) == len(frame["h"]) == model.hidden_size
    assert frame["layers"][-1]["h"] == frame["h"]  # the top layer is also at the top level
    assert len(frame["layers"]) == 2 and len(frame["x"]) == 3
    assert [p["p"] for p in frame["predictions"]] == sorted((p["p"] for p in frame["predictions"]), reverse=True)
    assert frame["token"] == "a" and frame["unk"] is False


def test_a_clockwork_frame_says_which_units_updated_at_this_step():
    model = tiny_model(cell="cwrnn", layers=2, hidden=4, options={"periods": [1, 2]})
    frames = [step_frame(model, step, decimals=5) for step in trace_text(model, "abc")]
    assert [f["active"] for f in frames] == [[1, 1, 1, 1], [1, 1, 0, 0], [1, 1, 1, 1]]
    assert all(layer["active"] == f["active"] for f in frames for layer in f["layers"])
    assert frames[0]["gates"] == {} and len(frames[0]["h"]) == 4


def test_a_depth_gated_frame_has_d_on_every_layer_but_the_bottom_one():
    model = tiny_model(cell="dglstm", layers=3)
    (frame,) = [step_frame(model, step, decimals=5) for step in trace_text(model, "a")]
    assert [sorted(layer["gates"]) for layer in frame["layers"]] == [
        ["c_tilde", "f", "i", "o"],
        ["c_tilde", "d", "f", "i", "o"],
        ["c_tilde", "d", "f", "i", "o"],
    ]
    assert "d" in frame["gates"]  # the top layer's, also at the top level
