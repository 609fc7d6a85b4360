"""`gatescope import keras`: Keras-layout weights, written as Keras 3's save_weights lays
out a .weights.h5, converted by hand in the test from a PyTorch model (the reference)."""

import math
import re

import numpy as np
import pytest

from app.cli import main
from app.models.format import load_model
from app.tracing.session import TraceSession
from tests.models.importers.reference import (
    CHAR_VOCAB,
    WordLanguageModel,
    assert_trace_matches,
    random_text,
    torch,
    torch_steps,
    write_vocab,
)

h5py = pytest.importorskip("h5py", reason="the Keras import reads .weights.h5 with h5py (the 'keras' extra)")

KERAS_LAYER = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "simple_rnn"}


def keras_gates(matrix: np.ndarray, kind: str) -> np.ndarray:
    """PyTorch's gate rows as Keras's gate columns: transposed, and for a GRU reordered
    from nn.GRU's r, z, n to Keras's z, r, h."""
    if kind == "GRU":
        r, z, n = np.split(matrix, 3, axis=0)
        matrix = np.concatenate([z, r, n], axis=0)
    return matrix.T


def keras_layers(module: WordLanguageModel, kind: str) -> dict[str, list[np.ndarray]]:
    """The module's weights as Keras's Embedding, LSTM/GRU(reset_after=True)/SimpleRNN
    and Dense variables, under the names Keras 3 gives them."""
    state = {k: v.numpy() for k, v in module.state_dict().items()}
    layers = {"embedding": [state["encoder.weight"]]}
    for k in range(module.rnn.num_layers):
        name = KERAS_LAYER[kind] + (f"_{k}" if k else "")
        kernel = keras_gates(state[f"rnn.weight_ih_l{k}"], kind)  # (X, G·H)
        recurrent = keras_gates(state[f"rnn.weight_hh_l{k}"], kind)  # (H, G·H)
        b_ih, b_hh = (keras_gates(state[f"rnn.bias_{p}_l{k}"][:, None], kind)[0] for p in ("ih", "hh"))
        bias = np.stack([b_ih, b_hh]) if kind == "GRU" else b_ih + b_hh  # GRU: (2, 3H), reset_after=True
        layers[name] = [kernel, recurrent, bias]
    layers["dense"] = [state["decoder.weight"].T, state["decoder.bias"]]
    return layers


def write_weights_h5(path, layers: dict[str, list[np.ndarray]]):
    """Keras 3's layout: layers/<name>/vars/<i>, an RNN layer's under layers/<name>/cell/vars."""
    with h5py.File(path, "w") as file:
        file.create_group("vars")
        file.create_group("layers/dropout/vars")  # layers without weights are there, empty
        file.create_group("optimizer/vars").create_dataset("0", data=np.zeros(3))
        for name, values in layers.items():
            is_rnn = re.fullmatch(r"(lstm|gru|simple_rnn)(_\d+)?", name)
            group = file.create_group(f"layers/{name}/cell/vars" if is_rnn else f"layers/{name}/vars")
            if is_rnn:
                file[f"layers/{name}"].create_group("vars")  # the RNN layer itself holds none
            for i, value in enumerate(values):
                group.create_dataset(str(i), data=value)
    return path


def import_keras(tmp_path, layers, vocab=CHAR_VOCAB) -> tuple[int, object]:
    path = write_weights_h5(tmp_path / "model.weights.h5", layers)
    output = tmp_path / "imported.npz"
    code = main(
        ["import", "keras", str(path), "--vocab", str(write_vocab(tmp_path / "vocab.txt", vocab)), "-o", str(output)]
    )
    return code, output


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", ["RNN_TANH", "LSTM", "GRU"])
def test_keras_layout_weights_trace_as_pytorch_does(tmp_path, kind, layers):
    torch.manual_seed(layers)
    rng = np.random.default_rng(layers)
    module = WordLanguageModel(kind, len(CHAR_VOCAB), 5, int(rng.integers(2, 20)), layers).eval()
    code, path = import_keras(tmp_path, keras_layers(module, kind))
    assert code == 0
    model = load_model(path)
    assert model.cell.name == {"RNN_TANH": "rnn", "LSTM": "lstm", "GRU": "gru"}[kind]
    text = random_text(rng)
    assert_trace_matches(path, text, torch_steps(module, [CHAR_VOCAB.index(c) for c in text]), kind)


def naive_keras_gru_reset_before(kernel, recurrent, bias, xs):
    """Keras's GRU with reset_after=False, its own equations, columns z, r, h:
    h̃ = tanh(x·W_h + (r*h)·U_h + b_h), h_t = z * h_{t-1} + (1 − z) * h̃."""
    hidden = recurrent.shape[0]
    h, out = [0.0] * hidden, []
    for x in xs:

        def column(matrix, j, vector):
            return sum(float(vector[k]) * float(matrix[k, j]) for k in range(len(vector)))

        z = [1 / (1 + math.exp(-(column(kernel, u, x) + column(recurrent, u, h) + bias[u]))) for u in range(hidden)]
        r = [
            1 / (1 + math.exp(-(column(kernel, hidden + u, x) + column(recurrent, hidden + u, h) + bias[hidden + u])))
            for u in range(hidden)
        ]
        reset_h = [r[k] * h[k] for k in range(hidden)]
        h_tilde = [
            math.tanh(
                column(kernel, 2 * hidden + u, x) + column(recurrent, 2 * hidden + u, reset_h) + bias[2 * hidden + u]
            )
            for u in range(hidden)
        ]
        h = [z[u] * h[u] + (1 - z[u]) * h_tilde[u] for u in range(hidden)]
        out.append({"z": z, "h": h})
    return out


def test_a_reset_before_gru_is_the_articles_formulation_with_z_turned_round(tmp_path):
    rng = np.random.default_rng(7)
    vocab, embed, hidden = len(CHAR_VOCAB), 3, 4
    embedding = rng.normal(0, 1, (vocab, embed)).astype(np.float32)
    kernel, recurrent = rng.normal(0, 0.8, (embed, 3 * hidden)), rng.normal(0, 0.8, (hidden, 3 * hidden))
    bias = rng.normal(0, 0.5, 3 * hidden)
    layers = {"embedding": [embedding], "gru": [k.astype(np.float32) for k in (kernel, recurrent, bias)]}
    code, path = import_keras(tmp_path, layers)
    assert code == 0
    model = load_model(path)
    assert model.cell_options["gru_variant"] == "article" and not model.has_decoder
    session = TraceSession(model)
    text = "a cab."
    steps = session.run(session.tokenize(text))
    expected = naive_keras_gru_reset_before(kernel, recurrent, bias, embedding[[CHAR_VOCAB.index(c) for c in text]])
    for step, keras in zip(steps, expected, strict=True):
        (record,) = step.layers
        np.testing.assert_allclose(record.h, keras["h"], rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(record.z, 1 - np.array(keras["z"]), rtol=1e-5, atol=1e-6)  # the article's z


def test_layers_without_biases_import_with_zero_biases(tmp_path):
    torch.manual_seed(5)
    module = WordLanguageModel("LSTM", len(CHAR_VOCAB), 3, 4, 1).eval()
    with torch.no_grad():
        module.rnn.bias_ih_l0.zero_()
        module.rnn.bias_hh_l0.zero_()
    layers = keras_layers(module, "LSTM")
    layers["lstm"] = layers["lstm"][:2]  # use_bias=False: no third variable
    assert import_keras(tmp_path, layers)[0] == 0
    assert_trace_matches(tmp_path / "imported.npz", "ab", torch_steps(module, [2, 3]))


def lstm_layers(hidden=4, embed=3):
    return keras_layers(WordLanguageModel("LSTM", len(CHAR_VOCAB), embed, hidden, 1), "LSTM")


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda layers: layers | {"gru": layers["lstm"]}, "all of one kind; found lstm, gru"),
        (
            lambda layers: layers | {"conv1d": [np.ones((2, 2))]},
            "layers/conv1d is a layer that a .weights.h5 does not describe",
        ),
        (lambda layers: layers | {"dense_1": layers["dense"]}, r"several dense layers \(dense, dense_1\)"),
        (
            lambda layers: layers | {"lstm": [layers["lstm"][0], np.ones((4, 12))]},
            r"layers/lstm|lstm: expected kernel \(X, 4·H\) and recurrent_kernel \(H, 4·H\), got \(3, 16\) and \(4, 12\)",
        ),
        (
            lambda layers: layers | {"embedding": [np.ones((7, 3), np.float32)]},
            "the vocabulary has 29 tokens but the embedding",
        ),
    ],
)
def test_what_cannot_be_imported_gets_one_clear_error(tmp_path, capsys, change, message):
    code, _ = import_keras(tmp_path, change(lstm_layers()))
    error = capsys.readouterr().err.strip()
    assert code == 2 and len(error.splitlines()) == 1 and re.search(message, error), error


def test_a_file_that_is_not_keras_3_weights_is_refused(tmp_path, capsys):
    with h5py.File(tmp_path / "old.h5", "w") as file:
        file.create_dataset("model_weights/lstm/lstm/lstm_cell/kernel:0", data=np.ones((3, 16)))
    argv = [
        "import",
        "keras",
        str(tmp_path / "old.h5"),
        "--vocab",
        str(write_vocab(tmp_path / "v.txt")),
        "-o",
        str(tmp_path / "m.npz"),
    ]
    assert main(argv) == 2
    assert "has no 'layers' group: it is not a Keras 3 .weights.h5" in capsys.readouterr().err
    (tmp_path / "junk.weights.h5").write_bytes(b"not hdf5")
    assert main(argv[:2] + [str(tmp_path / "junk.weights.h5")] + argv[3:]) == 2
    assert "is not a readable HDF5 file" in capsys.readouterr().err
