"""`gatescope import torch`: a state_dict laid out as PyTorch's word-language-model
example lays it out, `encoder` (nn.Embedding) → `rnn` (nn.LSTM / nn.GRU / nn.RNN, any
number of layers) → `decoder` (nn.Linear), converted to the model file.

The file is read by app/models/importers/checkpoint.py (tensors only, never a pickled
object; nested checkpoints and safetensors files too). The model file already uses
nn.RNN's names and gate order, so the conversion is a rename: `{rnn}.weight_ih_l0` →
`rnn.weight_ih_l0` and so on. The cell is read off the shapes (weight_ih_l0 has 4H rows:
nn.LSTM; 3H: nn.GRU, PyTorch's formulation; H: nn.RNN) and any extra arrays (peephole_*,
depth_*, periods), or named with --cell. What a state_dict does not record (an nn.RNN's
nonlinearity) is asked for; what it lacks (one missing bias) is refused unless the user
asks for zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app.cells import CELLS
from app.models.importers import Converted, ModelImportError

# The word-language-model example's --model names, as --cell accepts them too, and the
# nonlinearity each names for an nn.RNN.
EXAMPLE_MODEL_NAMES = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn", "RNN_RELU": "rnn"}
EXAMPLE_NONLINEARITY = {"RNN_TANH": "tanh", "RNN_RELU": "relu"}
CELL_BY_GATE_BLOCKS = {4: "lstm", 3: "gru", 1: "rnn"}
CELL_BY_EXTRA_KEY = {"peephole_": "peephole", "depth_": "dglstm", "periods": "cwrnn"}
WRAPPER_PREFIXES = ("module.", "_orig_mod.")  # nn.DataParallel / DistributedDataParallel, torch.compile


@dataclass(frozen=True)
class Prefixes:
    """The state_dict's module names for the three parts."""

    encoder: str = "encoder"
    rnn: str = "rnn"
    decoder: str = "decoder"


@dataclass(frozen=True)
class TorchOptions:
    """What the user says about the module where the state_dict cannot."""

    cell: str | None = None  # one of Gatescope's cells or the example's --model names
    gru_variant: str = "pytorch"
    nonlinearity: str | None = None  # an nn.RNN's: "tanh" or "relu"
    fill_missing_biases: bool = False  # read a missing bias as zeros instead of refusing


def resolve_cell(requested: str | None, nonlinearity: str | None) -> tuple[str | None, str | None]:
    """--cell as given (one of Gatescope's cells or the example's --model names) and the
    nonlinearity it names, checked against --nonlinearity."""
    if requested is None or requested in CELLS:
        return requested, nonlinearity
    name = requested.upper()
    if name not in EXAMPLE_MODEL_NAMES:
        known = ", ".join([*CELLS, *EXAMPLE_MODEL_NAMES])
        raise ModelImportError(f"unknown --cell {requested!r}; known: {known}")
    named = EXAMPLE_NONLINEARITY.get(name)
    if named and nonlinearity and named != nonlinearity:
        raise ModelImportError(f"--cell {requested} says {named}, --nonlinearity says {nonlinearity}")
    return EXAMPLE_MODEL_NAMES[name], named or nonlinearity


def check_nonlinearity(cell: str, nonlinearity: str | None) -> None:
    """An nn.RNN's state_dict is the same for tanh and relu: the user must say which."""
    if cell != "rnn":
        if nonlinearity is not None:
            raise ModelImportError(f"--nonlinearity is an nn.RNN's; this state_dict holds a {cell} cell")
        return
    if nonlinearity is None:
        raise ModelImportError(
            "weight_ih_l0 has H rows: an nn.RNN, and a state_dict does not record its nonlinearity "
            "(tanh, the default, or relu); say which with --nonlinearity tanh or --nonlinearity relu"
        )
    if nonlinearity == "relu":
        raise ModelImportError(
            "an nn.RNN with nonlinearity='relu' computes h_t = relu(W·[h_{t-1}, x_t] + b); Gatescope's cells "
            "have no ReLU RNN (the article's RNN is h_t = tanh(W·[h_{t-1}, x_t] + b)), so it cannot be imported"
        )


def detect_cell(rnn: dict[str, np.ndarray]) -> str:
    for prefix, cell in CELL_BY_EXTRA_KEY.items():
        if any(key.startswith(prefix) for key in rnn):
            return cell
    rows, hidden = rnn["weight_ih_l0"].shape[0], rnn["weight_hh_l0"].shape[-1]
    blocks = rows // hidden if hidden and rows % hidden == 0 else None
    if blocks not in CELL_BY_GATE_BLOCKS:
        raise ModelImportError(
            f"weight_ih_l0 has {rows} rows for {hidden} hidden units: not nn.LSTM (4H), "
            "nn.GRU (3H) or nn.RNN (H); name the cell with --cell"
        )
    return CELL_BY_GATE_BLOCKS[blocks]


def strip_wrappers(state: dict[str, np.ndarray], prefixes: Prefixes) -> tuple[dict[str, np.ndarray], list[str]]:
    """Remove `module.` and `_orig_mod.` where every key has one (a wrapped model's
    state_dict), unless the prefixes given name it."""
    notes: list[str] = []
    while True:
        wrapper = next((w for w in WRAPPER_PREFIXES if state and all(key.startswith(w) for key in state)), None)
        if wrapper is None or prefixes.rnn.startswith(wrapper):
            return state, notes
        state = {key.removeprefix(wrapper): value for key, value in state.items()}
        what = "torch.compile" if wrapper == "_orig_mod." else "nn.DataParallel or DistributedDataParallel"
        notes.append(f"every key began with {wrapper!r} ({what}'s wrapper): read without it")


def module_arrays(state: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    return {key[len(prefix) + 1 :]: value for key, value in state.items() if key.startswith(f"{prefix}.")}


def recurrent_arrays(state: dict[str, np.ndarray], prefix: str) -> dict[str, np.ndarray]:
    rnn = module_arrays(state, prefix)
    if "weight_ih_l0" not in rnn or "weight_hh_l0" not in rnn:
        modules = sorted({key.split(".")[0] for key in state})
        raise ModelImportError(
            f"no {prefix}.weight_ih_l0 and {prefix}.weight_hh_l0 in the state_dict (its modules: "
            f"{', '.join(modules)}); name the recurrent module with --rnn-prefix"
        )
    if any(key.endswith("_reverse") for key in rnn):
        raise ModelImportError(
            "a bidirectional RNN reads the text backwards too; the article's cells read "
            "forwards only, so it cannot be imported"
        )
    if any(key.startswith("weight_hr_") for key in rnn):
        raise ModelImportError("an nn.LSTM with proj_size projects h_t; the article's LSTM does not")
    return rnn


def fill_biases(rnn: dict[str, np.ndarray], prefix: str, fill_missing: bool) -> list[str]:
    """nn.LSTM(bias=False) has no bias on any layer: b = 0 exactly. One module with
    biases has both on every layer, so a missing one is a damaged file: refused, or read
    as zeros when asked."""
    layers = sorted(key.removeprefix("weight_hh_") for key in rnn if key.startswith("weight_hh_l"))
    wanted = [f"bias_{part}_{layer}" for layer in layers for part in ("ih", "hh")]
    missing = [key for key in wanted if key not in rnn]
    if not missing:
        return []
    for key in missing:
        rnn[key] = np.zeros(rnn[f"weight_hh_{key.rsplit('_', 1)[-1]}"].shape[0], np.float32)
    if len(missing) == len(wanted):
        return [f"{prefix} has no biases: read as a module made with bias=False (b = 0)"]
    named = ", ".join(f"{prefix}.{key}" for key in missing)
    if not fill_missing:
        raise ModelImportError(
            f"the state_dict has biases but not {named}: a module with biases has both on every layer, so the "
            "file is incomplete; --fill-missing-biases reads each missing one as zeros"
        )
    return [f"{named} missing: read as zeros (--fill-missing-biases)"]


def linear_parts(state: dict[str, np.ndarray], prefixes: Prefixes) -> tuple[dict[str, np.ndarray], list[str]]:
    """The embedding's and the decoder's arrays; anything else under their names is refused."""
    encoder, decoder = module_arrays(state, prefixes.encoder), module_arrays(state, prefixes.decoder)
    for part, found, expected in (
        (prefixes.encoder, encoder, {"weight"}),
        (prefixes.decoder, decoder, {"weight", "bias"}),
    ):
        extra = sorted(set(found) - expected)
        if extra:
            raise ModelImportError(
                f"{part}.{extra[0]} is not an nn.Embedding's or nn.Linear's: Gatescope reads {part}.weight"
                + (f" and {part}.bias" if "bias" in expected else "")
            )
    weights, notes = {}, []
    if "weight" in encoder:
        weights["encoder.weight"] = encoder["weight"]
    if "bias" in decoder and "weight" not in decoder:
        raise ModelImportError(f"the state_dict has {prefixes.decoder}.bias but no {prefixes.decoder}.weight")
    if "weight" in decoder:
        weights["decoder.weight"] = decoder["weight"]
        if "bias" in decoder:
            weights["decoder.bias"] = decoder["bias"]
        else:
            weights["decoder.bias"] = np.zeros(len(decoder["weight"]), np.float32)
            notes.append(f"{prefixes.decoder} has no bias: read as nn.Linear(bias=False)")
    return weights, notes


def convert_state_dict(
    state: dict[str, np.ndarray], prefixes: Prefixes = Prefixes(), options: TorchOptions = TorchOptions()
) -> Converted:
    """The cell, the model file's weight arrays, and notes on what was read unasked."""
    state, notes = strip_wrappers(state, prefixes)
    rnn = recurrent_arrays(state, prefixes.rnn)
    cell, nonlinearity = resolve_cell(options.cell, options.nonlinearity)
    if cell is None:
        cell = detect_cell(rnn)
        if cell == "gru":
            notes.append("weight_ih_l0 has 3H rows: read as nn.GRU, in PyTorch's formulation (--gru-variant)")
    check_nonlinearity(cell, nonlinearity)
    notes += fill_biases(rnn, prefixes.rnn, options.fill_missing_biases)
    weights = {f"rnn.{key}": value for key, value in rnn.items()}
    linear, linear_notes = linear_parts(state, prefixes)
    weights |= linear
    notes += linear_notes
    if cell == "gru":
        weights["gru_variant"] = np.array(options.gru_variant)
    parts = {f"{p}." for p in (prefixes.encoder, prefixes.rnn, prefixes.decoder)}
    others = sorted(key for key in state if not any(key.startswith(p) for p in parts))
    if others:
        raise ModelImportError(
            f"the state_dict holds more than {', '.join(sorted(parts))} ({others[0]!r}, ...): "
            "Gatescope reads an embedding, a recurrent stack and a linear decoder only; "
            "name the parts with --encoder-prefix, --rnn-prefix, --decoder-prefix"
        )
    return Converted(cell, weights, notes)
