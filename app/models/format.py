"""The model file: one `.npz` of plain arrays, read with allow_pickle=False.

Every key is documented in docs/model-files.md. Weight names are those of a
PyTorch word-language-model state_dict (`encoder.weight`, `rnn.weight_ih_l0`, ...,
`decoder.weight`), so importing from PyTorch is a rename at most. Which arrays a layer
has beyond nn.RNN's four, and which model-wide choices a file makes, each cell says
(Cell.layer_shapes, Cell.read_options); every `rnn.` key must be one of them.
"""

from __future__ import annotations

import json
import zipfile
import zlib
from pathlib import Path

import numpy as np

from app.cells import CELLS, Cell, InvalidOption, get_cell
from app.models.model import Model
from app.models.tokenizers import TOKENIZERS

FORMAT = "gatescope-model"
VERSION = 1


class ModelFileError(ValueError):
    """A model file that cannot be used; the message says which key and why."""

    code = "bad_model"


def _unicode(key: str, text: str) -> str:
    """`text`, if it is valid Unicode: a lone surrogate could never be sent to a client."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ModelFileError(
            f"{key!r} holds a lone surrogate U+{ord(text[error.start]):04X}, not a character"
        ) from None
    return text


def _text(arrays, key: str, default: str | None = None) -> str:
    if key not in arrays:
        if default is None:
            raise ModelFileError(f"missing key {key!r}")
        return default
    value = arrays[key]
    if value.shape != () or value.dtype.kind != "U":
        raise ModelFileError(f"{key!r} must be a single string, got dtype {value.dtype} shape {value.shape}")
    return _unicode(key, str(value[()]))


def _flag(arrays, key: str, default: bool) -> bool:
    return bool(arrays[key][()]) if key in arrays else default


def _weight(arrays, key: str, shape: tuple[int, ...]) -> np.ndarray:
    if key not in arrays:
        raise ModelFileError(f"missing key {key!r} (expected shape {shape})")
    value = arrays[key]
    if value.dtype.kind != "f":
        raise ModelFileError(f"{key!r} must hold floats, got dtype {value.dtype}")
    if value.shape != shape:
        raise ModelFileError(f"{key!r}: expected shape {shape}, got {value.shape}")
    if not np.isfinite(value).all():
        raise ModelFileError(f"{key!r} holds NaN or infinite values")
    return value.astype(np.float32)


def _layer_count(arrays) -> int:
    count = 0
    while f"rnn.weight_hh_l{count}" in arrays:
        count += 1
    if count == 0:
        raise ModelFileError("missing key 'rnn.weight_hh_l0': the file has no recurrent layer")
    return count


def _layers(arrays, cell: Cell, count: int, hidden: int, inputs: int) -> list:
    """Each layer's parameters, every array checked; then no `rnn.` key may be left over."""
    try:
        options = cell.read_options(arrays, hidden)
    except InvalidOption as error:
        raise ModelFileError(str(error)) from None
    known = set(cell.options_to_arrays(options))
    layers = []
    for layer in range(count):
        shapes = cell.layer_shapes(layer, hidden, inputs if layer == 0 else hidden, options)
        weights = {key: _weight(arrays, f"rnn.{key}", shape) for key, shape in shapes.items()}
        known |= {f"rnn.{key}" for key in shapes}
        layers.append(cell.params_from_arrays(weights, layer, options))
    unknown = sorted(key for key in arrays if key.startswith("rnn.") and key not in known)
    if unknown:
        described = f" with options {json.dumps(options)}" if options else ""
        raise ModelFileError(
            f"unexpected key {unknown[0]!r}: a {count}-layer {cell.name} model{described} has no such array"
        )
    return layers


def load_model(path: Path, name: str | None = None, max_bytes: int | None = None) -> Model:
    """Read and check a model file; raise ModelFileError naming what is wrong."""
    path = Path(path)
    if max_bytes is not None and path.stat().st_size > max_bytes:
        raise ModelFileError(f"{path.name} is {path.stat().st_size} bytes, over the {max_bytes}-byte limit")
    try:
        if max_bytes is not None and (unpacked := _unpacked_size(path)) > max_bytes:
            raise ModelFileError(f"{path.name} unpacks to {unpacked} bytes, over the {max_bytes}-byte limit")
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except UNREADABLE as error:  # not a zip, a damaged one, or an object array (pickle refused)
        raise ModelFileError(f"{path.name} is not a readable .npz of plain arrays: {error}") from None
    return model_from_arrays(arrays, name or path.stem)


# What reading a damaged or hostile file may raise, besides ModelFileError.
UNREADABLE = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)


def _unpacked_size(path: Path) -> int:
    """The bytes a .npz holds once unpacked: a small compressed file may hold gigabytes."""
    with zipfile.ZipFile(path) as archive:
        return sum(member.file_size for member in archive.infolist())


def model_from_arrays(arrays: dict[str, np.ndarray], name: str) -> Model:
    if _text(arrays, "format", FORMAT) != FORMAT:
        raise ModelFileError(f"'format' must be {FORMAT!r}")
    version = int(arrays["version"][()]) if "version" in arrays else VERSION
    if version > VERSION:
        raise ModelFileError(f"format version {version} is newer than this Gatescope reads ({VERSION})")

    cell_name = _text(arrays, "cell")
    if cell_name not in CELLS:
        raise ModelFileError(f"'cell' is {cell_name!r}; known cells: {', '.join(sorted(CELLS))}")
    cell = get_cell(cell_name)

    tokenizer_kind = _text(arrays, "tokenizer")
    if tokenizer_kind not in TOKENIZERS:
        raise ModelFileError(f"'tokenizer' is {tokenizer_kind!r}; known: {', '.join(sorted(TOKENIZERS))}")
    if "vocab" not in arrays or arrays["vocab"].dtype.kind != "U" or arrays["vocab"].ndim != 1:
        raise ModelFileError("'vocab' must be a 1-D array of strings, one token per index")
    try:
        tokenizer = TOKENIZERS[tokenizer_kind](
            vocab=tuple(_unicode("vocab", str(t)) for t in arrays["vocab"]),
            unk_token=_text(arrays, "unk_token", "<unk>"),
            lowercase=_flag(arrays, "lowercase", False),
        )
    except ValueError as error:
        raise ModelFileError(str(error)) from None
    vocab_size = len(tokenizer.vocab)

    layer_count = _layer_count(arrays)
    if arrays["rnn.weight_hh_l0"].ndim != 2:
        raise ModelFileError(f"'rnn.weight_hh_l0' must be a matrix ({cell.gate_blocks}·H, H)")
    hidden = arrays["rnn.weight_hh_l0"].shape[0] // cell.gate_blocks  # its rows are the G gate blocks of H
    embedding = None
    if "encoder.weight" in arrays:
        if arrays["encoder.weight"].ndim != 2:
            raise ModelFileError("'encoder.weight' must be a matrix (V, E)")
        embed_dim = arrays["encoder.weight"].shape[-1]
        embedding = _weight(arrays, "encoder.weight", (vocab_size, embed_dim))
    inputs = embedding.shape[1] if embedding is not None else vocab_size

    layers = _layers(arrays, cell, layer_count, hidden, inputs)

    decoder_weight = decoder_bias = None
    if "decoder.weight" in arrays:
        decoder_weight = _weight(arrays, "decoder.weight", (vocab_size, hidden))
        decoder_bias = _weight(arrays, "decoder.bias", (vocab_size,))

    try:
        info = json.loads(_text(arrays, "info", "{}"))
    except json.JSONDecodeError as error:
        raise ModelFileError(f"'info' is not JSON: {error}") from None
    return Model(
        name=name,
        cell=cell,
        tokenizer=tokenizer,
        layers=tuple(layers),
        embedding=embedding,
        decoder_weight=decoder_weight,
        decoder_bias=decoder_bias,
        description=_text(arrays, "description", ""),
        trained=_flag(arrays, "trained", True),
        info=info if isinstance(info, dict) else {},
    )


def header_arrays(
    cell: str, tokenizer: str, vocab, unk_token: str, lowercase: bool, description: str, trained: bool, info: dict
) -> dict[str, np.ndarray]:
    """Every key of a model file but its weights: what saving, importing and training all write."""
    return {
        "format": np.array(FORMAT),
        "version": np.array(VERSION),
        "cell": np.array(cell),
        "tokenizer": np.array(tokenizer),
        "vocab": np.array(vocab, dtype=str),
        "unk_token": np.array(unk_token),
        "lowercase": np.array(lowercase),
        "description": np.array(description),
        "trained": np.array(trained),
        "info": np.array(json.dumps(info)),
    }


def model_to_arrays(model: Model) -> dict[str, np.ndarray]:
    tokenizer = model.tokenizer
    arrays = header_arrays(
        model.cell.name,
        tokenizer.kind,
        tokenizer.vocab,
        tokenizer.unk_token,
        tokenizer.lowercase,
        model.description,
        model.trained,
        model.info,
    )
    arrays |= model.cell.options_to_arrays(model.cell_options)
    if model.embedding is not None:
        arrays["encoder.weight"] = model.embedding
    for layer, params in enumerate(model.layers):
        for key, value in model.cell.params_to_arrays(params, layer).items():
            arrays[f"rnn.{key}"] = value
    if model.has_decoder:
        arrays["decoder.weight"] = model.decoder_weight
        arrays["decoder.bias"] = model.decoder_bias
    return arrays


def save_model(model: Model, path: Path) -> None:
    """Write `model` as an uncompressed .npz (small, and loads without a zlib pass)."""
    with open(path, "wb") as file:
        np.savez(file, **model_to_arrays(model))
