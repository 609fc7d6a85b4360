"""`gatescope import torch`: a saved state_dict in, a model out whose trace matches PyTorch."""

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from app.cli import main
from app.models.format import load_model
from tests.models.importers.reference import (
    CHAR_VOCAB,
    WordLanguageModel,
    assert_trace_matches,
    import_torch,
    random_text,
    torch,
    torch_steps,
    write_vocab,
)
from tests.models.importers.word_language_model import RNNModel, train_a_few_steps

CELL_OF = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn"}


def ids_of(text: str) -> list[int]:
    return [CHAR_VOCAB.index(ch) for ch in text]


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("kind", ["RNN_TANH", "LSTM", "GRU"])
@pytest.mark.parametrize("seed", range(2))
def test_an_imported_model_traces_every_step_and_layer_as_pytorch_does(tmp_path, kind, layers, seed):
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    hidden, embed = int(rng.integers(2, 33)), int(rng.integers(1, 12))
    module = WordLanguageModel(kind, len(CHAR_VOCAB), embed, hidden, layers).eval()
    path = import_torch(tmp_path, module.state_dict(), *(["--nonlinearity", "tanh"] if kind == "RNN_TANH" else []))
    model = load_model(path)
    assert (model.cell.name, model.num_layers, model.hidden_size) == (CELL_OF[kind], layers, hidden)
    assert model.tokenizer.kind == "char" and model.trained
    text = random_text(rng)
    assert_trace_matches(path, text, torch_steps(module, ids_of(text)), f"{kind}, seed {seed}")


def test_an_imported_gru_is_labelled_with_pytorchs_formulation(tmp_path):
    path = import_torch(tmp_path, WordLanguageModel("GRU", len(CHAR_VOCAB), 3, 4, 1).state_dict())
    assert load_model(path).cell_options["gru_variant"] == "pytorch"


def test_the_trace_command_prints_pytorchs_numbers_for_an_imported_file(tmp_path, capsys):
    torch.manual_seed(3)
    module = WordLanguageModel("LSTM", len(CHAR_VOCAB), 4, 6, 2).eval()
    path = import_torch(tmp_path, module.state_dict())
    capsys.readouterr()
    assert main(["trace", str(path), "i grew", "--json"]) == 0
    steps = json.loads(capsys.readouterr().out)["steps"]
    for step, reference in zip(steps, torch_steps(module, ids_of("i grew")), strict=True):
        np.testing.assert_allclose(step["c"], reference["c"][-1], atol=1e-5)
        np.testing.assert_allclose(step["layers"][0]["h"], reference["h"][0], atol=1e-5)


def test_modules_without_biases_and_with_other_names_import(tmp_path):
    torch.manual_seed(4)
    module = WordLanguageModel("LSTM", len(CHAR_VOCAB), 3, 5, 2, bias=False).eval()
    renamed = {
        key.replace("encoder.", "embed.").replace("rnn.", "lstm.").replace("decoder.", "head."): value
        for key, value in module.state_dict().items()
    }
    path = import_torch(
        tmp_path, renamed, "--encoder-prefix", "embed", "--rnn-prefix", "lstm", "--decoder-prefix", "head"
    )
    assert_trace_matches(path, "a b.", torch_steps(module, ids_of("a b.")), "bias=False")


def test_the_cell_can_be_named_where_the_shapes_do_not_say(tmp_path):
    """A coupled-gate LSTM has nn.GRU's 3H rows; --cell cifg reads it as one."""
    state = {k: v for k, v in WordLanguageModel("GRU", len(CHAR_VOCAB), 3, 4, 1).state_dict().items()}
    assert load_model(import_torch(tmp_path, state, "--cell", "cifg")).cell.name == "cifg"
    assert load_model(import_torch(tmp_path, state, "--cell", "GRU")).cell.name == "gru"


def test_extra_arrays_say_which_variant_a_state_dict_holds(tmp_path):
    state = dict(WordLanguageModel("LSTM", len(CHAR_VOCAB), 3, 4, 2).state_dict())
    state |= {f"rnn.peephole_{g}_l{k}": torch.randn(4) for g in "fo" for k in range(2)}
    model = load_model(import_torch(tmp_path, state))
    assert model.cell.name == "peephole" and model.cell_options == {"peepholes": ["f", "o"]}


def run_import(tmp_path, state_or_module, *options, vocab=CHAR_VOCAB):
    torch.save(state_or_module, tmp_path / "model.pt")
    argv = [
        "import",
        "torch",
        str(tmp_path / "model.pt"),
        "--vocab",
        str(write_vocab(tmp_path / "v.txt", vocab)),
        "-o",
        str(tmp_path / "out.npz"),
        *options,
    ]
    return main(argv)


def test_a_whole_pickled_model_is_refused_in_plain_words_and_nothing_is_unpickled(tmp_path, capsys):
    module = WordLanguageModel("LSTM", len(CHAR_VOCAB), 3, 4, 1)
    assert run_import(tmp_path, module) == 2
    error = capsys.readouterr().err.strip()
    assert len(error.splitlines()) == 1 and "\x1b" not in error  # one line, no terminal colour codes
    assert "holds a pickled Python object (tests.models.importers.reference.WordLanguageModel)" in error
    assert "a whole model saved with torch.save(model, path)" in error
    assert "never unpickles" in error and "torch.save(model.state_dict(), path)" in error
    assert not (tmp_path / "out.npz").exists()


@pytest.mark.parametrize(
    "make, options, message",
    [
        (lambda: WordLanguageModel("LSTM", 29, 3, 4, 1, bidirectional=True).state_dict(), [], "bidirectional"),
        (lambda: WordLanguageModel("LSTM", 29, 3, 4, 1, proj_size=2).state_dict(), [], "proj_size"),
        (
            lambda: WordLanguageModel("LSTM", 12, 3, 4, 1).state_dict(),
            [],
            r"the vocabulary has 29 tokens but the embedding \(encoder.weight\) has 12 rows",
        ),
        (
            lambda: WordLanguageModel("LSTM", 29, 3, 4, 1).state_dict(),
            ["--rnn-prefix", "lstm"],
            r"no lstm.weight_ih_l0 and lstm.weight_hh_l0 in the state_dict \(its modules: decoder, encoder, rnn\)",
        ),
        (
            lambda: {**WordLanguageModel("LSTM", 29, 3, 4, 1).state_dict(), "norm.weight": torch.ones(4)},
            [],
            r"holds more than decoder., encoder., rnn. \('norm.weight'",
        ),
        (
            lambda: {**WordLanguageModel("GRU", 29, 3, 4, 1).state_dict(), "rnn.weight_ih_l0": torch.ones(12, 7)},
            [],
            r"rnn.weight_ih_l0': expected shape \(12, 3\), got \(12, 7\)",
        ),
        (lambda: {"rnn.weight_ih_l0": torch.ones(10, 3), "rnn.weight_hh_l0": torch.ones(10, 4)}, [], "not nn.LSTM"),
        (
            lambda: {
                **WordLanguageModel("LSTM", 29, 3, 4, 1).state_dict(),
                "encoder.weight": torch.full((29, 3), np.nan),
            },
            [],
            "'encoder.weight' holds NaN or infinite values",
        ),
    ],
)
def test_what_cannot_be_imported_gets_one_clear_error(tmp_path, capsys, make, options, message):
    assert run_import(tmp_path, make(), *options) == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("gatescope: ") and len(error.splitlines()) == 1
    assert re.search(message, error), error


def test_serving_and_tracing_never_import_the_importers_libraries():
    code = "import sys, app.main, app.cli; print(sorted({'torch', 'h5py', 'safetensors', 'keras'} & set(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def write_escaped_vocab(path, tokens):
    """The escaped format as a user writes it: a header, then Python's own unicode_escape of each token."""
    lines = ["#gatescope-vocab escaped", *(token.encode("unicode_escape").decode("ascii") for token in tokens)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_a_char_model_whose_vocabulary_holds_a_newline_traces_as_torch(tmp_path, capsys):
    """Characters of every kind (newline, tab, backslash, é, 中) from an escaped vocabulary file."""
    train = "a cat\tsat\\on é mat\n中 dog\n" * 20
    vocab = ["<unk>", *sorted(set(train))]
    ids = [vocab.index(ch) for ch in train]
    torch.manual_seed(2)
    module = RNNModel("LSTM", len(vocab), 6, 10, 2)
    train_a_few_steps(module, ids, steps=10, bptt=8)
    torch.save(module.state_dict(), tmp_path / "char.pt")
    argv = ["import", "torch", str(tmp_path / "char.pt"), "-o", str(tmp_path / "char.npz")]

    plain = tmp_path / "plain.txt"
    plain.write_text("\n".join(vocab) + "\n", encoding="utf-8")  # "\n" as it is: two empty lines
    assert main([*argv, "--vocab", str(plain)]) == 2
    error = capsys.readouterr().err
    assert 'a vocabulary holding "\\n" cannot be written one token a line' in error
    assert "'#gatescope-vocab escaped'" in error

    assert main([*argv, "--vocab", str(write_escaped_vocab(tmp_path / "vocab.txt", vocab))]) == 0
    model = load_model(tmp_path / "char.npz")
    assert model.tokenizer.vocab == tuple(vocab) and model.tokenizer.kind == "char"
    held_out = "sat on\na mat\t\\中 é\ndog\n"  # lines not in the training text
    assert_trace_matches(tmp_path / "char.npz", held_out, torch_steps(module, [vocab.index(c) for c in held_out]))
