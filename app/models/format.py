"""The model file: one `.npz` of plain arrays, read with allow_pickle=False.

Every key is documented in docs/model-files.md. Weight names are those of a
PyTorch word-language-model state_dict (`encoder.weight`, `rnn.weight_ih_l0`, ...,
`decoder.weight`), so importing from PyTorch is a rename at most. Which arrays a layer
has beyond nn.RNN's four, and which model-wide choices a file makes, each cell says
(Cell.layer_shapes, Cell.read_options); every `rnn.` key must be one of them.
"""

from __future__ import annotations

import json
import math
import zipfile
import zlib
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

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
    if key not in arrays:
        return default
    value = arrays[key]
    if value.shape != () or value.dtype.kind not in "biu" or value[()] not in (0, 1):
        raise ModelFileError(f"{key!r} must be a single true/false value, got dtype {value.dtype} shape {value.shape}")
    return bool(value[()])


def _whole_number(arrays, key: str, default: int) -> int:
    if key not in arrays:
        return default
    value = arrays[key]
    if value.shape != () or value.dtype.kind not in "iu":
        raise ModelFileError(f"{key!r} must be a single whole number, got dtype {value.dtype} shape {value.shape}")
    return int(value[()])


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
    with np.errstate(over="ignore"):  # said below, in words
        weights = value.astype(np.float32)
    if not np.isfinite(weights).all():  # 1e300 is a finite float64, and infinite as the float32 the cells compute in
        raise ModelFileError(f"{key!r} holds values beyond float32's range (±3.4e38): infinite once read")
    return weights


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
        _check_members(path, max_bytes)
        with np.load(path, allow_pickle=False) as npz:
            arrays = {key: npz[key] for key in npz.files}
    except ModelFileError:
        raise
    except UNREADABLE as error:  # not a zip, a damaged one, or an object array (pickle refused)
        raise ModelFileError(f"{path.name} is not a readable .npz of plain arrays: {error}") from None
    return model_from_arrays(arrays, name or path.stem)


# What reading a damaged or hostile file may raise, besides ModelFileError.
UNREADABLE = (OSError, ValueError, EOFError, zipfile.BadZipFile, zlib.error)
MAX_MEMBERS = 4096  # arrays in one file: a 3-layer model of any cell has fewer than 40
MAX_HEADER_BYTES = 10_000  # an .npy header: numpy's own default limit


def _check_members(path: Path, max_bytes: int | None) -> None:
    """Refuse, before numpy allocates anything, an archive that unpacks past `max_bytes`
    (a small compressed file may hold gigabytes), or a member that is not a plain .npy
    array whose header agrees with its size (a header may declare 100 GB of data that
    the member does not hold, and numpy would allocate it first)."""
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise ValueError(f"{len(members)} members, over the {MAX_MEMBERS} a model file may hold")
        unpacked = sum(member.file_size for member in members)
        if max_bytes is not None and unpacked > max_bytes:
            raise ModelFileError(f"{path.name} unpacks to {unpacked} bytes, over the {max_bytes}-byte limit")
        for member in members:
            with archive.open(member) as stream:
                data_bytes = _npy_data_bytes(member.filename, stream)
                header = stream.tell()  # the decompressed position: where the data starts
            if header + data_bytes != member.file_size:
                raise ValueError(
                    f"member {member.filename!r} declares {data_bytes} bytes of data but holds "
                    f"{member.file_size - header}"
                )


def _npy_data_bytes(name: str, stream) -> int:
    """The size of the data an .npy header declares (raising ValueError for anything else)."""
    if not name.endswith(".npy"):
        raise ValueError(f"member {name!r} is not an .npy array")
    try:
        version = np.lib.format.read_magic(stream)
    except ValueError:
        raise ValueError(f"member {name!r} does not start with the .npy magic") from None
    read_header = {(1, 0): np.lib.format.read_array_header_1_0, (2, 0): np.lib.format.read_array_header_2_0}
    if version not in read_header:
        raise ValueError(f"member {name!r} is .npy format {version}, which model files do not use")
    shape, _, dtype = read_header[version](stream, max_header_size=MAX_HEADER_BYTES)
    if dtype.hasobject:
        raise ValueError(f"member {name!r} holds Python objects: pickles are refused")
    return math.prod(shape) * dtype.itemsize


def model_from_arrays(arrays: dict[str, np.ndarray], name: str) -> Model:
    if _text(arrays, "format", FORMAT) != FORMAT:
        raise ModelFileError(f"'format' must be {FORMAT!r}")
    version = _whole_number(arrays, "version", VERSION)
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
    if hidden == 0:
        raise ModelFileError("'rnn.weight_hh_l0' has no rows: a layer needs at least one unit")
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

    info = read_info(_text(arrays, "info", "{}"), hidden, layer_count)
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
        info=info,
    )


class UnitLabel(BaseModel):
    """A unit that tracks a feature of the text (from `gatescope label`): what /api/models
    lists under "units" and the lessons pick their unit from."""

    model_config = ConfigDict(strict=True, extra="allow")  # label adds untrained_r

    unit: int = Field(ge=0)
    layer: int = Field(0, ge=0)
    vector: str = Field(max_length=32, description="the vector it was found in: c, h, tanh_c, a gate")
    feature: str = Field(max_length=200)
    feature_zh: str | None = Field(None, max_length=200, description="the feature in Simplified Chinese")
    r: float = Field(ge=-1, le=1, description="its correlation with the feature")


_UNITS = TypeAdapter(list[UnitLabel])
MAX_INFO_DEPTH = 32  # info is a small record; deeper nesting is an attack on whoever reads it next
MAX_SAFE_INTEGER = 2**53 - 1  # JavaScript reads larger integers inexactly


def _number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 is valid JSON, and infinite
        raise ValueError(f"the number {text[:20]} is beyond float64's range")
    return value


def _integer(text: str) -> int:
    if len(text.lstrip("-")) > 16 or abs(value := int(text)) > MAX_SAFE_INTEGER:
        raise ValueError(f"the integer {text[:20]}… is beyond what JavaScript reads exactly")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number JSON allows")


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in `value` (iteratively: no recursion to exhaust)."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_INFO_DEPTH:
                pending += [(child, depth + 1) for child in (item.values() if isinstance(item, dict) else item)]
    return deepest


def read_info(text: str, hidden: int, layers: int) -> dict:
    """The file's `info` record, checked: a JSON object of finite numbers and integers
    JavaScript reads exactly, nested at most MAX_INFO_DEPTH deep, whose labelled `units`
    exist in the model and whose `metrics` is an object."""
    try:
        info = json.loads(text, parse_float=_number, parse_int=_integer, parse_constant=_no_constant)
    except RecursionError:
        raise ModelFileError(f"'info' nests deeper than {MAX_INFO_DEPTH} levels") from None
    except ValueError as error:  # not JSON, NaN, 1e999, a 5,000-digit integer
        raise ModelFileError(f"'info' is not JSON this app reads: {error}") from None
    if not isinstance(info, dict):
        raise ModelFileError(f"'info' must be a JSON object, got {type(info).__name__}")
    if _depth(info) > MAX_INFO_DEPTH:
        raise ModelFileError(f"'info' nests deeper than {MAX_INFO_DEPTH} levels")
    if not isinstance(info.get("metrics", {}), dict):
        raise ModelFileError("'info.metrics' must be a JSON object")
    for key, kind, name in (
        ("description_zh", str, "a string"),
        ("task", str, "a string"),
        ("compare_with", str, "a string"),
        ("training", dict, "a JSON object"),
    ):
        if info.get(key) is not None and not isinstance(info[key], kind):  # null: not given
            raise ModelFileError(f"'info.{key}' must be {name} or null")
    try:
        units = _UNITS.validate_python(info.get("units", []))
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise ModelFileError(
            f"'info.units' must be a list of labels: at {where or 'the top'}, {first['msg']}"
        ) from None
    for label in units:
        if label.unit >= hidden or label.layer >= layers:
            raise ModelFileError(
                f"'info.units' labels unit {label.unit} of layer {label.layer}; the model has {layers} "
                f"layer(s) of {hidden} units"
            )
    return info


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
        arrays["decoder.weight"], arrays["decoder.bias"] = model.decoder()
    return arrays


def save_model(model: Model, path: Path) -> None:
    """Write `model` as an uncompressed .npz (small, and loads without a zlib pass)."""
    with open(path, "wb") as file:
        np.savez(file, allow_pickle=False, **model_to_arrays(model))
