"""`gatescope import keras` of Keras 3's own files, saved by Keras (on the torch backend):
a .keras archive imports exactly what its config says the layers compute, checked
against Keras's own forward pass; anything else is refused, naming what was found. A
.weights.h5 alone says what it assumed, and refuses what it cannot tell."""

import os
import re
import zipfile

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.models.format import load_model
from app.tracing.session import TraceSession
from tests.models.importers.reference import CHAR_VOCAB, run_import

os.environ["KERAS_BACKEND"] = "torch"  # Keras 3 on PyTorch, the reference already installed; before keras loads
keras = pytest.importorskip("keras", reason="Keras 3 is the reference: install the 'test' extra")
# Keras's own NumPy 2 conversions warn; not this project's code.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation doesn't accept a copy:DeprecationWarning")
layers = keras.layers
V = len(CHAR_VOCAB)
TEXT = "a cab sat. the dog"  # random weights: no text was trained on


def randomise(model, seed: int):
    """Every weight, biases included (Keras starts them at zero), drawn at random."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(0, 0.6, w.shape).astype(np.float32) for w in model.get_weights()])
    return model


def import_file(tmp_path, capsys, model, name="model.keras", save=None) -> tuple[int, str, str]:
    (save or model.save)(str(tmp_path / name))
    return run_import(capsys, "keras", tmp_path / name)


def token_inputs(text: str, one_hot: bool) -> np.ndarray:
    ids = np.array([[CHAR_VOCAB.index(c) for c in text]])
    return np.eye(V, dtype=np.float32)[ids] if one_hot else ids


def keras_steps(model, text: str, one_hot=False) -> tuple[list[np.ndarray], np.ndarray]:
    """Keras's h_t of each recurrent layer (T, H) and its next-token probabilities (T, V)."""
    recurrent = [layer for layer in model.layers if isinstance(layer, (layers.LSTM, layers.GRU, layers.SimpleRNN))]
    if all(layer.return_sequences for layer in recurrent):
        probe = keras.Model(model.inputs[0], [layer.output for layer in recurrent] + [model.outputs[0]])
        outputs = [keras.ops.convert_to_numpy(o)[0] for o in probe(token_inputs(text, one_hot))]
        hs, out = outputs[:-1], outputs[-1]
    else:  # the top layer returns its last h only: run every prefix
        probe = keras.Model(model.inputs[0], [recurrent[-1].output, model.outputs[0]])
        prefixes = [
            [keras.ops.convert_to_numpy(o)[0] for o in probe(token_inputs(text[: t + 1], one_hot))]
            for t in range(len(text))
        ]
        hs, out = [np.stack([h for h, _ in prefixes])], np.stack([p for _, p in prefixes])
    softmax_applied = np.allclose(out.sum(-1), 1, atol=1e-5) and (out >= 0).all()
    probabilities = out if softmax_applied else np.exp(out - out.max(-1, keepdims=True))
    return hs, probabilities / probabilities.sum(-1, keepdims=True)


def assert_matches_keras(tmp_path, model, text=TEXT, one_hot=False, context=""):
    imported = load_model(tmp_path / "m.npz")
    session = TraceSession(imported)
    ours = session.run(session.tokenize(text))
    hs, probabilities = keras_steps(model, text, one_hot)
    for layer, h in zip(range(imported.num_layers)[-len(hs) :], hs):
        assert_allclose(
            [step.layers[layer].h for step in ours], h, rtol=1e-4, atol=1e-6, err_msg=f"h, layer {layer} {context}"
        )
    ours_p = imported.next_token_probabilities(np.stack([step.layers[-1].h for step in ours]))  # the whole softmax
    assert_allclose(ours_p, probabilities, rtol=1e-4, atol=1e-7, err_msg=f"p {context}")


def sequential(*body, one_hot=False, embed=5):
    start = [keras.Input((None, V))] if one_hot else [keras.Input((None,), dtype="int32"), layers.Embedding(V, embed)]
    return keras.Sequential(start + list(body))


CASES = {
    "two LSTM layers, dropout between, softmax": lambda: sequential(
        layers.LSTM(6, return_sequences=True),
        layers.Dropout(0.3),
        layers.LSTM(6, return_sequences=True),
        layers.Dense(V, activation="softmax"),
    ),
    "GRU reset_after=True": lambda: sequential(layers.GRU(5, return_sequences=True), layers.Dense(V)),
    "GRU reset_after=False": lambda: sequential(
        layers.GRU(5, return_sequences=True, reset_after=False), layers.Dense(V)
    ),
    "GRU reset_after=True, no biases": lambda: sequential(
        layers.GRU(5, return_sequences=True, use_bias=False), layers.Dense(V)
    ),
    "GRU reset_after=False, no biases": lambda: sequential(
        layers.GRU(5, return_sequences=True, use_bias=False, reset_after=False), layers.Dense(V)
    ),
    "SimpleRNN, two layers": lambda: sequential(
        layers.SimpleRNN(4, return_sequences=True), layers.SimpleRNN(4, return_sequences=True), layers.Dense(V)
    ),
    "LSTM without biases, TimeDistributed(Dense)": lambda: sequential(
        layers.LSTM(6, return_sequences=True, use_bias=False), layers.TimeDistributed(layers.Dense(V))
    ),
    "Dense then an Activation layer": lambda: sequential(
        layers.LSTM(4, return_sequences=True), layers.Dense(V), layers.Activation("softmax")
    ),
    "no embedding, one-hot characters, last step only (Keras's text-generation example)": lambda: sequential(
        layers.LSTM(8), layers.Dense(V, activation="softmax"), one_hot=True
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_keras_archive_traces_as_keras_computes_it(tmp_path, capsys, case):
    model = randomise(CASES[case](), seed=len(case))
    code, out, err = import_file(tmp_path, capsys, model)
    assert code == 0, err
    assert "note:" not in out.replace("note: tokenizer char", "")  # the config told everything: nothing assumed
    assert_matches_keras(tmp_path, model, one_hot="one-hot" in case, context=case)


def test_a_functional_chain_imports_too(tmp_path, capsys):
    inputs = keras.Input((None,), dtype="int32")
    hidden = layers.GRU(6, return_sequences=True, reset_after=False)(layers.Embedding(V, 4)(inputs))
    model = randomise(keras.Model(inputs, layers.Dense(V)(hidden)), seed=9)
    assert import_file(tmp_path, capsys, model)[0] == 0
    assert load_model(tmp_path / "m.npz").cell_options["gru_variant"] == "article"
    assert_matches_keras(tmp_path, model)


def functional_with_a_skip():
    inputs = keras.Input((None,), dtype="int32")
    x = layers.Embedding(V, 4)(inputs)
    return keras.Model(inputs, layers.Dense(V)(layers.Add()([x, layers.LSTM(4, return_sequences=True)(x)])))


REFUSED = {
    "hard_sigmoid gates": (
        lambda: sequential(layers.LSTM(4, recurrent_activation="hard_sigmoid", return_sequences=True), layers.Dense(V)),
        "LSTM layer 'lstm.*': recurrent_activation='hard_sigmoid'; the article's gates are the logistic sigmoid",
    ),
    "relu SimpleRNN": (
        lambda: sequential(layers.SimpleRNN(4, activation="relu", return_sequences=True), layers.Dense(V)),
        "SimpleRNN layer '.*': activation='relu'; the article's SimpleRNN computes its candidate with tanh",
    ),
    "GRU with another candidate activation": (
        lambda: sequential(layers.GRU(4, activation="sigmoid", return_sequences=True)),
        "activation='sigmoid'",
    ),
    "go_backwards": (
        lambda: sequential(layers.LSTM(4, go_backwards=True, return_sequences=True)),
        "go_backwards=True; it reads the text backwards",
    ),
    "Bidirectional": (
        lambda: sequential(layers.Bidirectional(layers.LSTM(4, return_sequences=True)), layers.Dense(V)),
        r"Bidirectional\(LSTM\) layer '.*' reads the text backwards too",
    ),
    "mask_zero": (
        lambda: keras.Sequential(
            [
                keras.Input((None,), dtype="int32"),
                layers.Embedding(V, 3, mask_zero=True),
                layers.LSTM(4, return_sequences=True),
            ]
        ),
        "mask_zero=True; token 0 is skipped",
    ),
    "a layer between": (
        lambda: sequential(layers.LSTM(4, return_sequences=True), layers.LayerNormalization(), layers.Dense(V)),
        "found a LayerNormalization layer",
    ),
    "a Dense with relu": (
        lambda: sequential(layers.LSTM(4, return_sequences=True), layers.Dense(V, activation="relu")),
        "Dense layer '.*': activation='relu'",
    ),
    "two kinds of cell": (
        lambda: sequential(layers.LSTM(4, return_sequences=True), layers.GRU(4, return_sequences=True)),
        "all of one kind; found lstm, gru",
    ),
    "a skip connection": (functional_with_a_skip, "not just the layer before it"),
    "TimeDistributed of another layer": (
        lambda: sequential(layers.LSTM(4, return_sequences=True), layers.TimeDistributed(layers.Dropout(0.1))),
        "wraps a Dropout; Gatescope reads TimeDistributed\\(Dense\\) only",
    ),
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_what_differs_from_the_articles_cells_is_refused_naming_what_was_found(tmp_path, capsys, case):
    make, message = REFUSED[case]
    code, _, err = import_file(tmp_path, capsys, make())
    assert code == 2 and len(err.splitlines()) == 1 and re.search(message, err), err
    assert not (tmp_path / "m.npz").exists()


# --- a .weights.h5 alone ---


def save_weights(model):
    return lambda path: model.save_weights(path)


def test_a_weights_file_imports_and_says_what_it_assumed(tmp_path, capsys):
    model = randomise(CASES["two LSTM layers, dropout between, softmax"](), seed=3)
    code, out, _ = import_file(tmp_path, capsys, model, "model.weights.h5", save_weights(model))
    assert code == 0
    assert "note: a .weights.h5 records weights only, not what the layers compute: assumed Keras's defaults" in out
    assert "recurrent_activation='sigmoid', go_backwards=False) and the order embedding → lstm → lstm_1 → dense" in out
    assert_matches_keras(tmp_path, model)


@pytest.mark.parametrize(
    "make, message",
    [
        (REFUSED["Bidirectional"][0], "layers/bidirectional is a Bidirectional wrapper"),
        (
            CASES["LSTM without biases, TimeDistributed(Dense)"],
            "layers/time_distributed is a TimeDistributed wrapper, whose wrapped layer a .weights.h5 does not describe",
        ),
        (CASES["GRU reset_after=True, no biases"], "a GRU without biases .* cannot tell reset_after=True"),
        (CASES["Dense then an Activation layer"], "layers/activation is a layer that a .weights.h5 does not describe"),
        (REFUSED["a layer between"][0], "layers/layer_normalization is a layer that"),
    ],
)
def test_what_a_weights_file_cannot_tell_is_refused(tmp_path, capsys, make, message):
    model = make()
    code, _, err = import_file(tmp_path, capsys, model, "model.weights.h5", save_weights(model))
    assert code == 2 and re.search(message, err), err


def test_an_archive_whose_config_is_not_a_keras_models_is_refused(tmp_path, capsys):
    model = randomise(CASES["GRU reset_after=True"](), seed=1)
    model.save(str(tmp_path / "good.keras"))
    with zipfile.ZipFile(tmp_path / "good.keras") as good, zipfile.ZipFile(tmp_path / "bad.keras", "w") as bad:
        bad.writestr("config.json", '{"class_name": "Sequential", "config": {"layers": [7]}}')
        bad.writestr("model.weights.h5", good.read("model.weights.h5"))
    code, _, err = run_import(capsys, "keras", tmp_path / "bad.keras")
    assert code == 2 and "config.json is not laid out as a Keras 3 model's (AttributeError" in err
