"""Between the trainer's parameter dict and the app's Model (and so its model file)."""

from __future__ import annotations

import numpy as np

from app.cells import get_cell
from app.models.format import model_to_arrays
from app.models.model import Model
from app.models.tokenizers import Tokenizer
from app.training.network import Params, Shape


def to_model(shape: Shape, params: Params, tokenizer: Tokenizer, name: str, description: str, info: dict) -> Model:
    """A trained Model; the cell module builds each layer from nn.*-named arrays."""
    cell = get_cell(shape.cell)
    layers = tuple(
        cell.params_from_arrays({key[len("rnn.") :]: value for key, value in params.items() if key.startswith("rnn.")}, layer)
        for layer in range(shape.layers)
    )
    return Model(
        name=name,
        cell=cell,
        tokenizer=tokenizer,
        layers=layers,
        embedding=params.get("encoder.weight"),
        decoder_weight=params["decoder.weight"],
        decoder_bias=params["decoder.bias"],
        description=description,
        trained=True,
        info=info,
    )


def from_model(model: Model) -> tuple[Shape, Params]:
    """The trainer's view of a model with a decoder: its shape and parameters."""
    if not model.has_decoder:
        raise ValueError(f"model {model.name!r} has no decoder, so it cannot be trained or evaluated")
    arrays = model_to_arrays(model)
    params = {key: np.asarray(value, np.float32) for key, value in arrays.items() if key.split(".")[0] in ("encoder", "rnn", "decoder")}
    shape = Shape(
        cell=model.cell.name,
        vocab=model.vocab_size,
        hidden=model.hidden_size,
        layers=model.num_layers,
        embed=None if model.embedding is None else model.embedding.shape[1],
    )
    return shape, params
