"""`gatescope import torch`: a state_dict laid out as PyTorch's word-language-model
example lays it out, `encoder` (nn.Embedding) → `rnn` (nn.LSTM / nn.GRU / nn.RNN, any
number of layers) → `decoder` (nn.Linear), converted to the model file.

The file is read with torch.load(weights_only=True): tensors and plain containers only,
never arbitrary pickled objects. So it must hold a state_dict (model.state_dict()),
not a whole pickled model as the example's main.py saves it.

The model file already uses nn.RNN's names and gate order, so the conversion is a
rename: `{rnn}.weight_ih_l0` → `rnn.weight_ih_l0` and so on. The cell is read off the
shapes (weight_ih_l0 has 4H rows: nn.LSTM; 3H: nn.GRU, PyTorch's formulation; H: nn.RNN)
and any extra arrays (peephole_*, depth_*, periods), or named with --cell.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from app.cells import CELLS
from app.models.importers import ModelImportError

# The word-language-model example's --model names, as --cell accepts them too.
EXAMPLE_MODEL_NAMES = {"LSTM": "lstm", "GRU": "gru", "RNN_TANH": "rnn"}
CELL_BY_GATE_BLOCKS = {4: "lstm", 3: "gru", 1: "rnn"}
CELL_BY_EXTRA_KEY = {"peephole_": "peephole", "depth_": "dglstm", "periods": "cwrnn"}


@dataclass(frozen=True)
class Prefixes:
    """The state_dict's module names for the three parts."""

    encoder: str = "encoder"
    rnn: str = "rnn"
    decoder: str = "decoder"


def load_state_dict(path: Path) -> dict[str, np.ndarray]:
    """Every tensor of a state_dict, as float32 (floats) or int (buffers) NumPy arrays."""
    try:
        import torch
    except ImportError:
        raise ModelImportError("`gatescope import torch` needs PyTorch: pip install 'gatescope[torch]'") from None
    try:
        loaded = torch.load(path, weights_only=True, map_location="cpu")
    except Exception as error:  # UnpicklingError for anything but tensors and plain containers
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise ModelImportError(
            f"{Path(path).name} does not load with torch.load(weights_only=True): {reason}. "
            "Save the weights alone: torch.save(model.state_dict(), path)"
        ) from None
    if not isinstance(loaded, Mapping):
        raise ModelImportError(f"{Path(path).name} holds a {type(loaded).__name__}, not a state_dict")
    arrays = {}
    for key, value in loaded.items():
        if not isinstance(value, torch.Tensor):
            raise ModelImportError(f"{key!r} is a {type(value).__name__}, not a tensor: is this a state_dict?")
        value = value.detach().cpu()
        arrays[str(key)] = value.float().numpy() if value.is_floating_point() else value.numpy()
    return arrays


def cell_name(requested: str | None) -> str | None:
    """--cell as given: one of Gatescope's cells or one of the example's --model names."""
    if requested is None or requested in CELLS:
        return requested
    if requested.upper() == "RNN_RELU":
        raise ModelImportError(
            "an nn.RNN with nonlinearity='relu' is not the article's RNN, "
            "h_t = tanh(W·[h_{t-1}, x_t] + b); only tanh RNNs can be imported"
        )
    if requested.upper() in EXAMPLE_MODEL_NAMES:
        return EXAMPLE_MODEL_NAMES[requested.upper()]
    known = ", ".join([*CELLS, *EXAMPLE_MODEL_NAMES])
    raise ModelImportError(f"unknown --cell {requested!r}; known: {known}")


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
    for key in [k for k in rnn if k.startswith("weight_hh_l")]:  # nn.*(bias=False) has no biases: b = 0
        rows, layer = rnn[key].shape[0], key.removeprefix("weight_hh_")
        for bias in (f"bias_ih_{layer}", f"bias_hh_{layer}"):
            rnn.setdefault(bias, np.zeros(rows, np.float32))
    return rnn


def convert_state_dict(
    state: dict[str, np.ndarray], prefixes: Prefixes = Prefixes(), cell: str | None = None, gru_variant: str = "pytorch"
) -> tuple[str, dict[str, np.ndarray]]:
    """The cell's name and the model file's weight arrays."""
    rnn = recurrent_arrays(state, prefixes.rnn)
    cell = cell_name(cell) or detect_cell(rnn)
    weights = {f"rnn.{key}": value for key, value in rnn.items()}
    encoder, decoder = module_arrays(state, prefixes.encoder), module_arrays(state, prefixes.decoder)
    if "weight" in encoder:
        weights["encoder.weight"] = encoder["weight"]
    if "weight" in decoder:
        weights["decoder.weight"] = decoder["weight"]
        weights["decoder.bias"] = decoder.get("bias", np.zeros(len(decoder["weight"]), np.float32))
    if cell == "gru":
        weights["gru_variant"] = np.array(gru_variant)
    parts = {f"{p}." for p in (prefixes.encoder, prefixes.rnn, prefixes.decoder)}
    others = sorted(key for key in state if not any(key.startswith(p) for p in parts))
    if others:
        raise ModelImportError(
            f"the state_dict holds more than {', '.join(sorted(parts))} ({others[0]!r}, ...): "
            "Gatescope reads an embedding, a recurrent stack and a linear decoder only; "
            "name the parts with --encoder-prefix, --rnn-prefix, --decoder-prefix"
        )
    return cell, weights
