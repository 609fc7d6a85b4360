"""A PyTorch checkpoint file as a flat state_dict of NumPy arrays.

Read as safely as the format allows: torch.load(weights_only=True) (tensors and plain
containers only: never a pickled object, whose loading can run any code), or a
safetensors file (no pickle at all). A checkpoint that nests the state_dict
({"model_state_dict": …, "optimizer_state_dict": …, "epoch": …}) is searched for the
one mapping of tensors that holds recurrent weights, or told which by `key`.
"""

from __future__ import annotations

import re
import struct
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from app.models.importers import ModelImportError, plain_words

SAFE_SAVE = "torch.save(model.state_dict(), path)"
UNSUPPORTED_GLOBAL = re.compile(r"Unsupported global: GLOBAL ([\w.]+)")
SEARCH_DEPTH = 3  # how deep a nested state_dict is looked for without --key


def is_safetensors(path: Path) -> bool:
    """A safetensors file: a little-endian u64 header length, then the JSON header."""
    with open(path, "rb") as file:
        head = file.read(9)
    if len(head) < 9 or head[8:9] != b"{":
        return False
    return struct.unpack("<Q", head[:8])[0] < Path(path).stat().st_size


def read_checkpoint(path: Path, key: str | None = None) -> tuple[dict[str, np.ndarray], list[str]]:
    """The state_dict's arrays (floats as float32) and notes on what was found unasked."""
    if is_safetensors(path):
        if key is not None:
            raise ModelImportError(
                f"{Path(path).name} is a safetensors file, one flat state_dict: --key does not apply"
            )
        return read_safetensors(path), []
    loaded = torch_load(path)
    state, where = find_state_dict(loaded, key, Path(path).name)
    notes = [f"read the state_dict under {where!r} of {Path(path).name}"] if where and key is None else []
    return {name: as_array(value) for name, value in state.items()}, notes


def torch_load(path: Path) -> Any:
    try:
        import torch
    except ImportError:
        raise ModelImportError("`gatescope import torch` needs PyTorch: pip install 'gatescope[torch]'") from None
    name = Path(path).name
    try:
        return torch.load(path, weights_only=True, map_location="cpu")
    except Exception as error:  # UnpicklingError for anything but tensors and plain containers
        found = UNSUPPORTED_GLOBAL.search(str(error))
        if found:
            raise ModelImportError(
                f"{name} holds a pickled Python object ({found[1]}), not only tensors: a whole model saved "
                f"with torch.save(model, path), or a checkpoint holding objects besides its weights. Gatescope "
                f"never unpickles objects, since loading one can run any code it holds. Save the weights alone: "
                f"{SAFE_SAVE}"
            ) from None
        reason = plain_words(str(error)) or type(error).__name__
        raise ModelImportError(
            f"{name} is not a file torch.load(weights_only=True) reads ({type(error).__name__}: {reason[:200]}). "
            f"Save the weights with {SAFE_SAVE}, or as a .safetensors file"
        ) from None


def as_array(value) -> np.ndarray:
    value = value.detach().cpu()
    return value.float().numpy() if value.is_floating_point() else value.numpy()


def is_tensor(value) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def tensors_of(mapping: Mapping) -> dict[str, Any]:
    return {str(k): v for k, v in mapping.items() if is_tensor(v)}


def holds_recurrent_weights(tensors: dict[str, Any]) -> bool:
    return any(name.rsplit(".", 1)[-1] == "weight_hh_l0" for name in tensors)


def candidates(loaded: Any, path: str = "", depth: int = 0) -> list[tuple[str, dict[str, Any]]]:
    """(where, tensors) for every mapping, this one and those nested in it, whose tensors
    include recurrent weights."""
    if not isinstance(loaded, Mapping) or depth > SEARCH_DEPTH:
        return []
    found = []
    tensors = tensors_of(loaded)
    if holds_recurrent_weights(tensors):
        found.append((path, tensors))
    for name, value in loaded.items():
        if isinstance(value, Mapping):
            found += candidates(value, f"{path}/{name}" if path else str(name), depth + 1)
    return found


def describe(loaded: Any) -> str:
    if not isinstance(loaded, Mapping):
        return f"a {type(loaded).__name__}"
    shown = [f"{k!r} ({type(v).__name__})" for k, v in list(loaded.items())[:8]]
    return "keys " + ", ".join(shown) + (", ..." if len(loaded) > 8 else "")


def find_state_dict(loaded: Any, key: str | None, name: str) -> tuple[dict[str, Any], str]:
    """The state_dict and where in the file it was ("": the file itself)."""
    if key is not None:
        value = loaded
        for part in [key] if isinstance(loaded, Mapping) and key in loaded else key.split("/"):
            if not isinstance(value, Mapping) or part not in value:
                raise ModelImportError(f"--key {key!r}: {name} has no {part!r} (it holds {describe(value)})")
            value = value[part]
        tensors = tensors_of(value) if isinstance(value, Mapping) else {}
        if not tensors:
            raise ModelImportError(f"--key {key!r} of {name} holds no tensors ({describe(value)})")
        return tensors, key
    found = candidates(loaded)
    if not found:
        raise ModelImportError(
            f"{name} holds no state_dict with recurrent weights (no '….weight_hh_l0' tensor) in "
            f"{describe(loaded)}; save one with {SAFE_SAVE}, or name where it is with --key"
        )
    if len(found) > 1:
        places = ", ".join(repr(where or "(the file itself)") for where, _ in found)
        raise ModelImportError(
            f"{name} holds several state_dicts with recurrent weights ({places}); name one with --key"
        )
    where, tensors = found[0]
    return tensors, where


def read_safetensors(path: Path) -> dict[str, np.ndarray]:
    """A .safetensors file's tensors; names that safetensors' save_model dropped as
    duplicates of tied weights (recorded in its metadata) come back as the same array."""
    try:
        from safetensors import safe_open
    except ImportError:
        raise ModelImportError(
            "reading .safetensors needs the safetensors package: pip install 'gatescope[safetensors]'"
        ) from None
    name = Path(path).name
    try:
        with safe_open(str(path), framework="numpy") as file:
            metadata = file.metadata() or {}
            arrays = {key: np.asarray(file.get_tensor(key)) for key in file.keys()}
    except TypeError as error:  # a dtype NumPy lacks: bfloat16
        arrays, metadata = read_safetensors_with_torch(path, error)
    except Exception as error:
        raise ModelImportError(f"{name} is not a readable safetensors file: {plain_words(str(error))}") from None
    for dropped, kept in metadata.items():
        if dropped not in arrays and kept in arrays:
            arrays[dropped] = arrays[kept]
    return {key: value.astype(np.float32) if value.dtype.kind == "f" else value for key, value in arrays.items()}


def read_safetensors_with_torch(path: Path, error: Exception) -> tuple[dict[str, np.ndarray], dict]:
    try:
        import torch  # noqa: F401  (safetensors' "pt" framework needs it)
        from safetensors import safe_open
    except ImportError:
        raise ModelImportError(
            f"{Path(path).name} holds tensors NumPy cannot read ({plain_words(str(error))}); "
            "install PyTorch to convert them, or save them as float32"
        ) from None
    with safe_open(str(path), framework="pt") as file:
        return {key: as_array(file.get_tensor(key)) for key in file.keys()}, file.metadata() or {}
