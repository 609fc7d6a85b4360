"""What the trainer learns is what the app shows: a trained network, turned into a Model,
traces the same h_t with the app's own cells as the trainer's batched forward."""

import numpy as np
import pytest
from numpy.testing import assert_allclose

from app.cells import CELLS
from app.models.tokenizers import CharTokenizer
from app.training import network
from app.training.backprop import BACKPROPS
from app.training.convert import from_model, to_model
from app.training.network import Shape

TOKENIZER = CharTokenizer(vocab=("<unk>", *"abcdef"))


@pytest.mark.parametrize("cell", sorted(set(BACKPROPS) & set(CELLS)))
@pytest.mark.parametrize("embed", [None, 4])
def test_the_app_traces_what_the_trainer_computed(cell, embed):
    shape = Shape(cell=cell, vocab=len(TOKENIZER.vocab), hidden=6, layers=2, embed=embed)
    params = network.init_params(shape, seed=1)
    ids = np.random.default_rng(1).integers(0, shape.vocab, (15, 1))
    top, *_ = network.run_layers(shape, params, ids, network.zero_states(shape, 1))

    model = to_model(shape, params, TOKENIZER, "m", "d", {"task": "t"})
    records, _ = model.forward(ids[:, 0], model.zero_state())
    assert_allclose(np.stack([r.h for r in records[-1]]), top[:, 0], rtol=1e-5, atol=1e-6)
    assert model.trained and model.info == {"task": "t"}

    shape_back, params_back = from_model(model)
    assert shape_back == shape
    top_back, *_ = network.run_layers(shape_back, params_back, ids, network.zero_states(shape, 1))
    assert_allclose(top_back, top, rtol=1e-6, atol=1e-7)
