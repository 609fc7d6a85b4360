"""Between the trainer's parameter dict and the app's Model (and so its model file)."""

from __future__ import annotations

import numpy as np

from app.cells import get_cell
from app.models.format import header_arrays, model_from_arrays, model_to_arrays
from app.models.model import Model
from app.models.tokenizers import Tokenizer
from app.training.network import Params, Shape


def to_model(shape: Shape, params: Params, tokenizer: Tokenizer, name: str, description: str, info: dict) -> Model:
    """A trained Model, built by the model file's own reader from the arrays a file of
    it would hold (docs/model-files.md), so every cell's layout rules apply unchanged."""
    arrays = header_arrays(
        shape.cell, tokenizer.kind, tokenizer.vocab, tokenizer.unk_token, tokenizer.lowercase, description, True, info
    )
    arrays |= get_cell(shape.cell).options_to_arrays(shape.options)  # gru_variant, rnn.periods
    return model_from_arrays(arrays | params, name)


def from_model(model: Model) -> tuple[Shape, Params]:
    """The trainer's view of a model with a decoder: its shape and parameters (the
    weights; the cell's options, such as the clock periods, go into the shape)."""
    if not model.has_decoder:
        raise ValueError(f"model {model.name!r} has no decoder, so it cannot be trained or evaluated")
    arrays = model_to_arrays(model)
    options = model.cell.read_options(arrays, model.hidden_size)
    option_keys = model.cell.options_to_arrays(options).keys()
    params = {
        key: np.asarray(value, np.float32)
        for key, value in arrays.items()
        if key.split(".")[0] in ("encoder", "rnn", "decoder") and key not in option_keys
    }
    shape = Shape(
        cell=model.cell.name,
        vocab=model.vocab_size,
        hidden=model.hidden_size,
        layers=model.num_layers,
        embed=None if model.embedding is None else model.embedding.shape[1],
        options=options,
    )
    return shape, params
