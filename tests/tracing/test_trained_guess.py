"""Guesses a model was never trained to make: a model file that records the tokens after
which it was trained to guess (info["guesses_after"]) marks every other step, in JSON
and binary frames alike; a model that records none marks nothing."""

from app.tracing import wire
from app.tracing.frames import meta_frame, step_frame
from app.tracing.session import TraceSession
from tests.helpers import tiny_model


def frames_of(model, text):
    session = TraceSession(model)
    steps = session.run(session.tokenize(text))
    return steps, [step_frame(model, step, 5) for step in steps]


def test_only_the_steps_after_the_recorded_tokens_are_trained_guesses():
    model = tiny_model(word=True, name="words")
    model.info["guesses_after"] = ["in", "not-in-the-vocabulary"]
    _, frames = frames_of(model, "i grew up in france")
    assert [frame["trained_guess"] for frame in frames] == [False, False, False, True, False]
    assert meta_frame(model, False, 5)["guesses_after"] == ["in"]


def test_a_model_that_records_nothing_or_nonsense_marks_nothing():
    for info in ({}, {"guesses_after": "in"}, {"guesses_after": [1, 2]}):
        model = tiny_model(word=True, name="words")
        model.info.update(info)
        _, frames = frames_of(model, "i grew up in france")
        assert all("trained_guess" not in frame for frame in frames)
        assert meta_frame(model, False, 5)["guesses_after"] is None


def test_binary_frames_carry_the_mark_as_json_does():
    model = tiny_model(word=True, name="words")
    model.info["guesses_after"] = ["grew", "france"]
    steps, frames = frames_of(model, "i grew up in france")
    data = wire.message([wire.encode_step(model, step) for step in steps], None)
    _, decoded = wire.decode(data, meta_frame(model, False, 5))
    assert [frame.get("trained_guess") for frame in decoded] == [frame["trained_guess"] for frame in frames]
    assert [frame["trained_guess"] for frame in decoded] == [False, True, False, False, True]
