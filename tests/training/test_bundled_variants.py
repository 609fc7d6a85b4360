"""The shipped variants (`variants-*`, docs/models.md): each loads and traces in the app;
all were trained alike, at one parameter budget, by the command each file records; and
each one's recorded held-out numbers hold when measured again on a sample of the
held-out Python files, by the trainer and by the app's own cells."""

import shlex
from pathlib import Path

import numpy as np
import pytest

from app.cli import build_parser
from app.models.format import load_model
from app.tracing.session import TraceSession
from app.training import metrics
from app.training.budget import trainable_parameters
from app.training.commands import shape_for
from app.training.convert import from_model
from app.training.tasks.code import held_out_files, read, stdlib_files
from app.training.tasks.text import VALIDATION_TOKENS, TextTask, encode
from app.training.tasks.variants import EPOCHS, VariantsTask

BUNDLED = Path(__file__).resolve().parents[2] / "app" / "models" / "bundled"
VARIANTS = {  # name: (cell, layers, what else sets it apart)
    "variants-rnn": ("rnn", 1, {}),
    "variants-lstm": ("lstm", 1, {"forget_bias": 1.0}),
    "variants-lstm-bf0": ("lstm", 1, {"forget_bias": 0.0}),
    "variants-peephole": ("peephole", 1, {"peepholes": ["f", "i", "o"]}),
    "variants-cifg": ("cifg", 1, {}),
    "variants-gru": ("gru", 1, {"gru_variant": "pytorch"}),
    "variants-gru-article": ("gru", 1, {"gru_variant": "article"}),
    "variants-dglstm": ("dglstm", 2, {}),
    "variants-lstm2": ("lstm", 2, {}),
    "variants-cwrnn": ("cwrnn", 1, {"periods": [1, 2, 4, 8]}),
}
SAMPLE_WINDOWS = 8  # of each of the 32 held-out streams: 25,600 characters from 32 places
SAMPLE_BITS = 0.12  # how far a sample's bits per char may sit from the whole part's (measured: at most 0.07)
SAMPLE_ACCURACY = 0.03


def model_of(name):
    return load_model(BUNDLED / f"{name}.npz")


@pytest.fixture(scope="module")
def held_out_text():
    return read(held_out_files(stdlib_files()))


@pytest.mark.parametrize("name", VARIANTS)
def test_each_variant_loads_and_traces_in_the_app(name):
    model = model_of(name)
    cell, layers, options = VARIANTS[name]
    assert model.trained and model.cell.name == cell and model.num_layers == layers
    for key in ("peepholes", "gru_variant", "periods"):
        if key in options:
            assert model.cell_options[key] == options[key]
    if "forget_bias" in options:
        assert model.info["training"]["forget_bias"] == options["forget_bias"]
    session = TraceSession(model)
    text = "def area(r):\n    return 3.14 * r ** 2\n"
    steps = session.run(session.tokenize(text))
    assert len(steps) == len(text) and all(len(step.layers) == layers for step in steps)
    top = np.stack([step.predictions[1] for step in steps])  # each step's best next characters' probabilities
    assert np.isfinite(top).all() and (top >= 0).all() and (top.sum(axis=1) <= 1 + 1e-4).all()
    assert (np.diff(top, axis=1) <= 0).all()  # best first


def test_every_variant_was_trained_alike_at_one_budget_by_the_command_it_records():
    infos = {name: model_of(name).info for name in VARIANTS}
    trainings = [info["training"] for info in infos.values()]
    for key in ("lr", "batch", "epochs", "optimizer", "clip", "forget_decay", "embed", "per_file"):
        assert len({str(t[key]) for t in trainings}) == 1, key
    assert trainings[0]["epochs"] == EPOCHS
    assert len({info["seed"] for info in infos.values()}) == 1 and len({info["data"] for info in infos.values()}) == 1
    assert {info["task"] for info in infos.values()} == {"variants"}
    for name, info in infos.items():
        model = model_of(name)
        # The task's budget for this vocabulary, without reading its data again.
        task = VariantsTask(model.tokenizer, np.zeros(0, np.int64), np.zeros(0, np.int64), "", name="variants")
        command = shlex.split(info["command"])
        assert command[:3] == ["gatescope", "train", "variants"] and command[command.index("-o") + 1].endswith(
            f"/{name}.npz"
        )
        shape = shape_for(task, build_parser().parse_args(command[1:]))  # what the command would train
        assert (shape.cell, shape.hidden, shape.layers) == (model.cell.name, model.hidden_size, model.num_layers)
        assert dict(shape.options) == info["training"]["cell_options"]
        assert info["training"]["parameters"] == trainable_parameters(shape)
        assert abs(trainable_parameters(shape) - task.budget) < 0.02 * task.budget
        assert info["compare_with"] in VARIANTS and info["compare_with"] != name


@pytest.mark.parametrize("name", VARIANTS)
def test_the_recorded_curve_and_numbers_hold_on_a_held_out_sample(name, held_out_text):
    model = model_of(name)
    recorded = model.info["metrics"]
    curve = recorded["validation_curve"]
    assert curve[0]["epoch"] == 0 and abs(curve[0]["bits_per_token"] - np.log2(model.vocab_size)) < 0.3  # untrained
    assert abs(curve[-1]["epoch"] - EPOCHS) < 0.01  # (the sparse last window of each epoch is left out)
    assert curve[-1]["bits_per_token"] < curve[0]["bits_per_token"] - 3  # it learned
    best = min(curve, key=lambda point: point["bits_per_token"])
    assert best["bits_per_token"] == recorded["validation"]["bits_per_token"]  # the checkpoint kept
    shape, params = from_model(model)
    tokens = encode(model.tokenizer, held_out_text)
    for part, measured in (
        (tokens[:VALIDATION_TOKENS], recorded["validation"]),
        (tokens[VALIDATION_TOKENS:], recorded["test"]),
    ):
        sample = TextTask.validation_batches(part, 32)[:SAMPLE_WINDOWS]
        again = metrics.evaluate(shape, params, sample)
        assert abs(again.bits - measured["bits_per_token"]) < SAMPLE_BITS
        assert abs(again.accuracy - measured["accuracy"]) < SAMPLE_ACCURACY


@pytest.mark.parametrize("name", ["variants-lstm", "variants-gru-article", "variants-dglstm", "variants-cwrnn"])
def test_the_app_reads_held_out_code_as_the_trainer_measured_it(name, held_out_text):
    """The app's cells (the trace a student sees) give the same bits per char as the
    trainer's forward on a held-out piece read from a zero state."""
    model = model_of(name)
    text = held_out_text[VALIDATION_TOKENS : VALIDATION_TOKENS + 1_001]
    session = TraceSession(model)
    steps = session.run(session.tokenize(text))
    ids = np.array([step.token.id for step in steps])
    h_top = np.stack([step.layers[-1].h for step in steps[:-1]])  # the top layer's h that reads each next char
    probabilities = model.next_token_probabilities(h_top)
    app_bits = -np.mean(np.log2(probabilities[np.arange(len(ids) - 1), ids[1:]]))
    shape, params = from_model(model)
    windows = TextTask.validation_batches(ids, 1)  # one stream, from a zero state
    assert abs(metrics.evaluate(shape, params, windows).bits - app_bits) < 1e-3
