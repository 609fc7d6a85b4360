"""What the trainer learns is what the app shows: a trained network, turned into a Model,
traces the same h_t (and every gate and state) with the app's own cells as the trainer's
batched forward, for every cell in each of its forms."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.models.format import load_model, save_model
from app.models.tokenizers import CharTokenizer
from app.training import network
from app.training.convert import from_model, to_model
from app.training.network import Shape
from tests.training.test_gradients import CONFIGS, IDS

TOKENIZER = CharTokenizer(vocab=("<unk>", *"abcdef"))


def trained_like(shape, seed):
    """init_params, moved off PyTorch's small init so that a wrong formula shows."""
    rng = np.random.default_rng(seed)
    params = network.init_params(shape, seed)
    return {key: (value + rng.normal(0, 0.4, value.shape)).astype(np.float32) for key, value in params.items()}


@pytest.mark.parametrize("cell,options", CONFIGS, ids=IDS)
@pytest.mark.parametrize("embed,layers", [(None, 2), (4, 3)])
def test_the_app_traces_what_the_trainer_computed(cell, options, embed, layers, tmp_path):
    shape = Shape(cell=cell, vocab=len(TOKENIZER.vocab), hidden=6, layers=layers, embed=embed, options=options)
    params = trained_like(shape, seed=1)
    ids = np.random.default_rng(1).integers(0, shape.vocab, (15, 1))
    top, caches, _, layer_hs = network.run_layers(shape, params, ids, network.zero_states(shape, 1))

    save_model(to_model(shape, params, TOKENIZER, "m", "d", {"task": "t"}), tmp_path / "m.npz")
    model = load_model(tmp_path / "m.npz")  # through the file, as the app will read it
    assert model.cell.name == cell and model.trained and model.info == {"task": "t"}
    records, _ = model.forward(ids[:, 0], model.zero_state())
    for layer in range(layers):
        assert_allclose(
            np.stack([r.h for r in records[layer]]),
            layer_hs[layer][:, 0],
            rtol=1e-5,
            atol=1e-6,
            err_msg=f"layer {layer}",
        )
    if hasattr(caches[-1], "cs"):  # the LSTM family: the belt too
        assert_allclose(np.stack([r.c for r in records[-1]]), caches[-1].cs[1:, 0], rtol=1e-5, atol=1e-6)

    shape_back, params_back = from_model(model)
    assert shape_back == shape and params_back.keys() == params.keys()
    top_back, *_ = network.run_layers(shape_back, params_back, ids, network.zero_states(shape, 1))
    assert_allclose(top_back, top, rtol=1e-6, atol=1e-7)


def test_a_model_file_records_the_options_it_was_trained_with():
    shape = Shape(cell="gru", vocab=len(TOKENIZER.vocab), hidden=4, options={"gru_variant": "article"})
    model = to_model(shape, network.init_params(shape, 0), TOKENIZER, "m", "d", {})
    assert model.cell_options["gru_variant"] == "article"
    shape = Shape(cell="peephole", vocab=len(TOKENIZER.vocab), hidden=4, options={"peepholes": ["o", "f"]})
    assert shape.options == {"peepholes": ["f", "o"]}
    assert to_model(shape, network.init_params(shape, 0), TOKENIZER, "m", "d", {}).cell_options == {
        "peepholes": ["f", "o"]
    }
    shape = Shape(cell="cwrnn", vocab=len(TOKENIZER.vocab), hidden=6)
    assert shape.options == {"periods": [1, 2]}  # as many modules (up to 4) as split H evenly
    assert to_model(shape, network.init_params(shape, 0), TOKENIZER, "m", "d", {}).cell_options == {"periods": [1, 2]}


@pytest.mark.parametrize("cell,options,message", [
    ("gru", {"gru_variant": "keras"}, "gru_variant"),
    ("peephole", {"peepholes": ["g"]}, "peepholes"),
    ("cwrnn", {"periods": [1, 2, 4, 8]}, "equal modules"),  # H = 6
    ("cwrnn", {"periods": [4, 2]}, "increasing"),
    ("lstm", {"peepholes": ["f"]}, "no options"),
])  # fmt: skip
def test_options_a_cell_cannot_use_are_refused(cell, options, message):
    with pytest.raises(ValueError, match=message):
        Shape(cell=cell, vocab=5, hidden=6, options=options)
