"""The .npz model file: round trips, and clear refusals of bad files."""

import zipfile

import numpy as np
import pytest
from numpy.testing import assert_array_equal

from app.models.format import ModelFileError, load_model, model_to_arrays, save_model
from tests.helpers import CELL_NAMES, tiny_model


def write(tmp_path, arrays, name="m.npz"):
    path = tmp_path / name
    np.savez(path, **arrays)
    return path


@pytest.mark.parametrize("options", [{}, {"layers": 3}, {"embed": None}, {"decoder": False}, {"word": True}])
def test_a_saved_model_loads_back_identical(tmp_path, options):
    model = tiny_model(**options)
    save_model(model, tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    assert loaded.name == "m"
    assert loaded.tokenizer == model.tokenizer
    assert loaded.num_layers == model.num_layers and loaded.hidden_size == model.hidden_size
    assert (loaded.trained, loaded.description) == (model.trained, model.description)
    for ours, theirs in zip(model.layers, loaded.layers):
        assert_array_equal(ours.weight_ih, theirs.weight_ih)
        assert_array_equal(ours.weight_hh, theirs.weight_hh)
        assert_array_equal(ours.bias, theirs.bias)
    if model.has_decoder:
        assert_array_equal(model.decoder_weight, loaded.decoder_weight)


def test_weights_with_a_wrong_shape_are_named_with_the_expected_shape(tmp_path):
    arrays = model_to_arrays(tiny_model(hidden=5))
    arrays["rnn.weight_hh_l0"] = np.zeros((20, 4), np.float32)
    with pytest.raises(ModelFileError, match=r"rnn.weight_hh_l0.*expected shape \(20, 5\)"):
        load_model(write(tmp_path, arrays))


def test_a_missing_key_is_named(tmp_path):
    arrays = model_to_arrays(tiny_model())
    del arrays["rnn.bias_hh_l0"]
    with pytest.raises(ModelFileError, match="missing key 'rnn.bias_hh_l0'"):
        load_model(write(tmp_path, arrays))


def test_nan_weights_are_refused(tmp_path):
    arrays = model_to_arrays(tiny_model())
    arrays["decoder.bias"][2] = np.nan
    with pytest.raises(ModelFileError, match="decoder.bias.*NaN"):
        load_model(write(tmp_path, arrays))


def test_pickled_objects_are_never_loaded(tmp_path):
    arrays = model_to_arrays(tiny_model())
    arrays["vocab"] = np.array([{"evil": 1}, "x"], dtype=object)
    with pytest.raises(ModelFileError, match="not a readable .npz"):
        load_model(write(tmp_path, arrays))


def test_an_unknown_cell_type_lists_the_known_ones(tmp_path):
    arrays = model_to_arrays(tiny_model())
    arrays["cell"] = np.array("transformer")
    known = "cifg, cwrnn, dglstm, gru, lstm, peephole, rnn"
    with pytest.raises(ModelFileError, match=f"'cell' is 'transformer'; known cells: {known}$"):
        load_model(write(tmp_path, arrays))


def test_a_file_that_is_not_an_npz_is_refused(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"not a zip at all")
    with pytest.raises(ModelFileError):
        load_model(path)


def test_a_file_over_the_size_cap_is_refused_before_reading(tmp_path):
    save_model(tiny_model(), tmp_path / "m.npz")
    with pytest.raises(ModelFileError, match="over the 100-byte limit"):
        load_model(tmp_path / "m.npz", max_bytes=100)


def test_a_newer_format_version_is_refused(tmp_path):
    arrays = model_to_arrays(tiny_model())
    arrays["version"] = np.array(99)
    with pytest.raises(ModelFileError, match="newer"):
        load_model(write(tmp_path, arrays))


def test_the_file_is_a_plain_zip_of_npy_arrays_with_the_documented_keys(tmp_path):
    save_model(tiny_model(layers=2), tmp_path / "m.npz")
    names = set(zipfile.ZipFile(tmp_path / "m.npz").namelist())
    expected = {
        "format",
        "version",
        "cell",
        "tokenizer",
        "vocab",
        "unk_token",
        "lowercase",
        "description",
        "trained",
        "info",
        "encoder.weight",
        "decoder.weight",
        "decoder.bias",
    }
    expected |= {f"rnn.{k}_l{n}" for n in range(2) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    assert names == {f"{k}.npy" for k in expected}


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("cell", CELL_NAMES)
def test_every_cell_saves_and_loads_back_identical(tmp_path, cell, layers):
    model = tiny_model(cell=cell, layers=layers, hidden=4)
    save_model(model, tmp_path / "m.npz")
    loaded = load_model(tmp_path / "m.npz")
    assert loaded.cell is model.cell and loaded.cell_options == model.cell_options
    for k, (ours, theirs) in enumerate(zip(model.layers, loaded.layers, strict=True)):
        ours, theirs = model.cell.params_to_arrays(ours, k), loaded.cell.params_to_arrays(theirs, k)
        assert ours.keys() == theirs.keys()
        for key in ours:
            assert_array_equal(ours[key], theirs[key], err_msg=key)


DEPTH_KEYS = {f"rnn.depth_{k}_l1" for k in ("weight_x", "weight_c", "weight_l", "bias")}


@pytest.mark.parametrize(
    "cell, extra",
    [
        ("rnn", set()),
        ("lstm", set()),
        ("cifg", set()),
        ("dglstm", DEPTH_KEYS),
        ("peephole", {f"rnn.peephole_{g}_l{k}" for g in "fio" for k in range(2)}),
        ("gru", {"gru_variant"}),
        ("cwrnn", {"rnn.periods"}),
    ],
)
def test_each_cell_writes_nn_rnns_four_arrays_per_layer_and_its_own(tmp_path, cell, extra):
    save_model(tiny_model(cell=cell, layers=2, hidden=4), tmp_path / "m.npz")
    names = {name.removesuffix(".npy") for name in zipfile.ZipFile(tmp_path / "m.npz").namelist()}
    common = {
        "format",
        "version",
        "cell",
        "tokenizer",
        "vocab",
        "unk_token",
        "lowercase",
        "description",
        "trained",
        "info",
        "encoder.weight",
        "decoder.weight",
        "decoder.bias",
    }
    layers = {f"rnn.{k}_l{n}" for n in range(2) for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    assert names == common | layers | extra


def test_an_array_the_cell_does_not_read_is_refused_by_name(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="lstm"))
    arrays["rnn.peephole_f_l0"] = np.zeros(5, np.float32)  # an LSTM would silently ignore it
    with pytest.raises(ModelFileError, match="unexpected key 'rnn.peephole_f_l0': a 1-layer lstm model"):
        load_model(write(tmp_path, arrays))


def test_every_layer_of_a_peephole_model_has_the_peepholes_of_layer_0(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="peephole", layers=2, options={"peepholes": ["f"]}))
    del arrays["rnn.peephole_f_l1"]
    with pytest.raises(ModelFileError, match=r"missing key 'rnn.peephole_f_l1' \(expected shape \(5,\)\)"):
        load_model(write(tmp_path, arrays))
    arrays["rnn.peephole_f_l1"] = np.zeros(5, np.float32)
    arrays["rnn.peephole_o_l1"] = np.zeros(5, np.float32)
    with pytest.raises(ModelFileError, match=r"unexpected key 'rnn.peephole_o_l1'.*\"peepholes\": \[\"f\"\]"):
        load_model(write(tmp_path, arrays))


def test_a_depth_gate_with_a_wrong_shape_is_named(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="dglstm", layers=2))
    arrays["rnn.depth_weight_x_l1"] = np.zeros((5, 3), np.float32)
    with pytest.raises(ModelFileError, match=r"rnn.depth_weight_x_l1.*expected shape \(5, 5\), got \(5, 3\)"):
        load_model(write(tmp_path, arrays))


def test_an_unknown_gru_variant_is_refused(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="gru"))
    arrays["gru_variant"] = np.array("keras")
    with pytest.raises(ModelFileError, match="'gru_variant' is 'keras'; expected one of article, pytorch"):
        load_model(write(tmp_path, arrays))


def test_a_gru_file_without_a_variant_is_nn_grus_form(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="gru", options={"gru_variant": "article"}))
    assert str(arrays.pop("gru_variant")) == "article"
    assert load_model(write(tmp_path, arrays)).cell_options["gru_variant"] == "pytorch"


def test_clockwork_periods_are_checked(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="cwrnn", hidden=6, options={"periods": [1, 2, 4]}))
    arrays["rnn.periods"] = np.array([1, 2, 4, 8])
    with pytest.raises(ModelFileError, match="6 hidden units do not split into 4 equal modules"):
        load_model(write(tmp_path, arrays))
    del arrays["rnn.periods"]
    with pytest.raises(ModelFileError, match="missing key 'rnn.periods'"):
        load_model(write(tmp_path, arrays))


def test_infinite_peephole_weights_are_refused(tmp_path):
    arrays = model_to_arrays(tiny_model(cell="peephole"))
    arrays["rnn.peephole_o_l0"][1] = np.inf
    with pytest.raises(ModelFileError, match="'rnn.peephole_o_l0' holds NaN or infinite values"):
        load_model(write(tmp_path, arrays))


def test_a_damaged_zip_is_refused_with_a_model_file_error(tmp_path):
    path = tmp_path / "m.npz"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(ModelFileError, match="not a readable .npz"):
        load_model(path)


def test_a_truncated_file_is_refused(tmp_path):
    save_model(tiny_model(), tmp_path / "whole.npz")
    data = (tmp_path / "whole.npz").read_bytes()
    (tmp_path / "m.npz").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError):
        load_model(tmp_path / "m.npz")


def test_a_small_compressed_file_that_unpacks_over_the_cap_is_refused_unread(tmp_path):
    arrays = model_to_arrays(tiny_model())
    arrays["padding"] = np.zeros(5_000_000, np.float32)  # 20 MB of zeros, a few KB compressed
    np.savez_compressed(tmp_path / "m.npz", **arrays)
    assert (tmp_path / "m.npz").stat().st_size < 100_000
    with pytest.raises(ModelFileError, match="unpacks to .* over the 1000000-byte limit"):
        load_model(tmp_path / "m.npz", max_bytes=1_000_000)


@pytest.mark.parametrize("key", ["vocab", "description"])
def test_text_holding_a_lone_surrogate_is_refused(tmp_path, key):
    arrays = model_to_arrays(tiny_model())
    if key == "vocab":
        vocab = list(arrays["vocab"])
        vocab[3] = "<img src=x>\ud800"
        arrays["vocab"] = np.array(vocab)
    else:
        arrays[key] = np.array("hi \udc00")
    with pytest.raises(ModelFileError, match=f"'{key}' holds a lone surrogate"):
        load_model(write(tmp_path, arrays))


@pytest.mark.parametrize("value", [np.inf, -np.inf])
def test_infinite_weights_are_refused(tmp_path, value):
    arrays = model_to_arrays(tiny_model())
    arrays["rnn.weight_ih_l0"][0, 0] = value
    with pytest.raises(ModelFileError, match="rnn.weight_ih_l0.*infinite"):
        load_model(write(tmp_path, arrays))
