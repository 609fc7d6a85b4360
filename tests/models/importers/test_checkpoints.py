"""Checkpoints as people save them: nested in a training checkpoint, wrapped by
DataParallel or torch.compile, as safetensors; and what a state_dict cannot tell
(a missing bias, an nn.RNN's nonlinearity) refused or asked for, never guessed."""

import argparse
import re

import numpy as np
import pytest

from app.models.format import load_model
from tests.models.importers.reference import (
    CHAR_VOCAB,
    WordLanguageModel,
    assert_trace_matches,
    run_import,
    torch,
    torch_steps,
)

pytestmark = pytest.mark.filterwarnings("ignore:`torch.jit.script_method` is deprecated:DeprecationWarning")
safetensors_torch = pytest.importorskip("safetensors.torch", reason="the safetensors package (the 'torch' extra)")

TEXT = "a cab."
IDS = [CHAR_VOCAB.index(c) for c in TEXT]


def lstm(seed=0, **options):
    torch.manual_seed(seed)
    return WordLanguageModel("LSTM", len(CHAR_VOCAB), 3, 5, 2, **options).eval()


def run(tmp_path, capsys, saved, *options, name="model.pt"):
    """`gatescope import torch` of what `saved` wrote; (exit code, stdout, stderr)."""
    saved(tmp_path / name)
    return run_import(capsys, "torch", tmp_path / name, *options)


def saving(value):
    return lambda path: torch.save(value, path)


def test_a_training_checkpoint_is_searched_for_its_state_dict(tmp_path, capsys):
    module = lstm()
    checkpoint = {
        "epoch": 7,
        "loss": 1.25,
        "model_state_dict": module.state_dict(),
        "optimizer_state_dict": torch.optim.Adam(module.parameters()).state_dict(),
    }
    code, out, _ = run(tmp_path, capsys, saving(checkpoint))
    assert code == 0 and "note: read the state_dict under 'model_state_dict' of model.pt" in out
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


def test_key_names_the_state_dict_where_several_could_be_it(tmp_path, capsys):
    module, average = lstm(0), lstm(1)
    checkpoint = {"model": module.state_dict(), "ema": {"model": average.state_dict()}}
    code, _, err = run(tmp_path, capsys, saving(checkpoint))
    assert code == 2 and "several state_dicts with recurrent weights ('model', 'ema/model'); name one with --key" in err
    assert run(tmp_path, capsys, saving(checkpoint), "--key", "ema/model")[0] == 0
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(average, IDS))
    code, _, err = run(tmp_path, capsys, saving(checkpoint), "--key", "model_state_dict")
    assert code == 2 and "--key 'model_state_dict': model.pt has no 'model_state_dict' (it holds keys 'model'" in err


@pytest.mark.parametrize(
    "wrap, prefix",
    [
        (torch.nn.DataParallel, "module."),
        (torch.compile, "_orig_mod."),
        (lambda m: torch.nn.DataParallel(torch.compile(m)), "module."),
    ],
)
def test_data_parallel_and_compile_prefixes_are_found_without_help(tmp_path, capsys, wrap, prefix):
    module = lstm()
    state = wrap(module).state_dict()
    assert all(key.startswith(prefix) for key in state)
    code, out, _ = run(tmp_path, capsys, saving(state))
    assert code == 0 and f"note: every key began with {prefix!r}" in out
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


def test_a_safetensors_file_imports(tmp_path, capsys):
    module = lstm()
    code, _, _ = run(
        tmp_path, capsys, lambda p: safetensors_torch.save_file(module.state_dict(), p), name="m.safetensors"
    )
    assert code == 0
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


def test_tied_weights_saved_by_safetensors_save_model_come_back_tied(tmp_path, capsys):
    """save_model keeps one name of a shared tensor and records the other in its metadata."""
    torch.manual_seed(3)
    module = WordLanguageModel("GRU", len(CHAR_VOCAB), 5, 5, 1).eval()
    module.decoder.weight = module.encoder.weight
    code, _, _ = run(tmp_path, capsys, lambda p: safetensors_torch.save_model(module, p), name="tied.safetensors")
    assert code == 0
    model = load_model(tmp_path / "m.npz")
    assert np.array_equal(model.embedding, model.decoder_weight)
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


@pytest.mark.parametrize(
    "saved, message",
    [
        (
            saving({"model": lstm().state_dict(), "args": argparse.Namespace(lr=1)}),
            r"holds a pickled Python object \(argparse.Namespace\), not only tensors: .* never unpickles",
        ),
        (lambda p: p.write_bytes(b"not a checkpoint"), r"model.pt is not a file torch.load\(weights_only=True\) reads"),
        (saving({"epoch": 3}), r"holds no state_dict with recurrent weights .* in keys 'epoch' \(int\)"),
        (saving(torch.ones(3)), "holds no state_dict with recurrent weights .* in a Tensor"),
    ],
)
def test_what_is_not_a_state_dict_is_refused_in_plain_words(tmp_path, capsys, saved, message):
    code, _, err = run(tmp_path, capsys, saved)
    assert code == 2 and len(err.splitlines()) == 1 and re.search(message, err), err


# --- what a state_dict cannot tell ---


def without(state, *keys):
    return {k: v for k, v in state.items() if k not in keys}


def test_one_missing_bias_is_refused_unless_zeros_are_asked_for(tmp_path, capsys):
    module = lstm()
    with torch.no_grad():
        module.rnn.bias_hh_l1.zero_()  # so that reading it as zeros is right, and checkable
    state = without(module.state_dict(), "rnn.bias_hh_l1")
    code, _, err = run(tmp_path, capsys, saving(state))
    assert code == 2 and "has biases but not rnn.bias_hh_l1" in err and "--fill-missing-biases" in err
    code, out, _ = run(tmp_path, capsys, saving(state), "--fill-missing-biases")
    assert code == 0 and "note: rnn.bias_hh_l1 missing: read as zeros (--fill-missing-biases)" in out
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


def test_a_module_without_any_bias_is_read_as_bias_false_and_says_so(tmp_path, capsys):
    module = lstm(bias=False)
    code, out, _ = run(tmp_path, capsys, saving(module.state_dict()))
    assert code == 0 and "note: rnn has no biases: read as a module made with bias=False" in out
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: without(s, "decoder.weight"), "has decoder.bias but no decoder.weight"),
        (lambda s: s | {"encoder.bias": torch.ones(3)}, "encoder.bias is not an nn.Embedding's or nn.Linear's"),
    ],
)
def test_parts_of_the_embedding_or_decoder_that_would_be_dropped_are_refused(tmp_path, capsys, change, message):
    code, _, err = run(tmp_path, capsys, saving(change(lstm().state_dict())))
    assert code == 2 and message in err, err


def rnn_state(nonlinearity="tanh"):
    torch.manual_seed(4)
    return WordLanguageModel("RNN_TANH", len(CHAR_VOCAB), 3, 4, 2, nonlinearity=nonlinearity).eval()


def test_an_nn_rnn_is_not_read_as_tanh_until_the_user_says_so(tmp_path, capsys):
    relu = rnn_state("relu")
    code, _, err = run(tmp_path, capsys, saving(relu.state_dict()))
    assert code == 2 and "does not record its nonlinearity" in err
    assert "--nonlinearity tanh or --nonlinearity relu" in err and not (tmp_path / "m.npz").exists()


@pytest.mark.parametrize("options", [["--nonlinearity", "relu"], ["--cell", "RNN_RELU"]])
def test_a_relu_rnn_is_refused_with_the_reason(tmp_path, capsys, options):
    code, _, err = run(tmp_path, capsys, saving(rnn_state("relu").state_dict()), *options)
    assert code == 2 and "Gatescope's cells have no ReLU RNN" in err


@pytest.mark.parametrize("options", [["--nonlinearity", "tanh"], ["--cell", "RNN_TANH"]])
def test_a_tanh_rnn_named_so_imports(tmp_path, capsys, options):
    module = rnn_state()
    assert run(tmp_path, capsys, saving(module.state_dict()), *options)[0] == 0
    assert_trace_matches(tmp_path / "m.npz", TEXT, torch_steps(module, IDS))


def test_a_nonlinearity_for_a_cell_that_has_none_to_choose_is_refused(tmp_path, capsys):
    code, _, err = run(tmp_path, capsys, saving(lstm().state_dict()), "--nonlinearity", "relu")
    assert code == 2 and "--nonlinearity is an nn.RNN's; this state_dict holds a lstm cell" in err
    code, _, err = run(
        tmp_path, capsys, saving(rnn_state().state_dict()), "--cell", "RNN_TANH", "--nonlinearity", "relu"
    )
    assert code == 2 and "--cell RNN_TANH says tanh, --nonlinearity says relu" in err
