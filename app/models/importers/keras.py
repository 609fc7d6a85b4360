"""`gatescope import keras`: a Keras model's `.weights.h5` (model.save_weights in Keras 3),
Embedding → LSTM / GRU / SimpleRNN layers → Dense, read with h5py; no TensorFlow needed.

The layout Keras 3 writes, one group per layer under `layers/`, named after the layer's
class with a counter (lstm, lstm_1, …), each holding its variables as datasets 0, 1, …:

    layers/embedding/vars/0              (V, E)     embeddings
    layers/lstm/cell/vars/0, 1, 2        kernel (X, 4H), recurrent_kernel (H, 4H), bias (4H,)
    layers/gru/cell/vars/0, 1, 2         kernel (X, 3H), recurrent_kernel (H, 3H),
                                         bias (2, 3H) with reset_after=True (input, recurrent), else (3H,)
    layers/simple_rnn/cell/vars/0, 1, 2  kernel (X, H), recurrent_kernel (H, H), bias (H,)
    layers/dense/vars/0, 1               kernel (H, V), bias (V,)

(Keras 2.13's `_layer_checkpoint_dependencies/` in place of `layers/` is read too; the
older whole-model `.h5` of Keras 2, `model_weights/…`, is not.) A layer without a bias
(use_bias=False) has no last dataset. The file records no activations: Keras's defaults
(tanh, sigmoid recurrent) are assumed.

Keras multiplies x · kernel where PyTorch multiplies W · x, so every matrix is transposed.
LSTM gates are i, f, c, o in both. Keras's GRU stacks z, r, h where nn.GRU stacks r, z, n;
with reset_after=True it is nn.GRU's formulation exactly. With reset_after=False it is the
article's formulation but with h_t = z * h_{t-1} + (1 − z) * h̃_t: the article's z is
Keras's 1 − z, so the z block is negated on the way in (σ(−a) = 1 − σ(a)).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from app.models.importers import ModelImportError

LAYER_NAME = re.compile(r"(embedding|lstm|gru|simple_rnn|dense)(?:_(\d+))?")
RECURRENT = {"lstm": ("lstm", 4), "gru": ("gru", 3), "simple_rnn": ("rnn", 1)}  # Keras layer -> cell, gate blocks
ROOTS = ("layers", "_layer_checkpoint_dependencies")


def read_layers(path: Path) -> dict[str, list[np.ndarray]]:
    """Each layer group's variables, in order, by the group's name."""
    try:
        import h5py
    except ImportError:
        raise ModelImportError("`gatescope import keras` needs h5py: pip install 'gatescope[keras]'") from None
    try:
        with h5py.File(path, "r") as file:
            root = next((file[name] for name in ROOTS if name in file), None)
            if root is None:
                raise ModelImportError(
                    f"{Path(path).name} has no 'layers' group: it is not a Keras 3 .weights.h5 "
                    "(Keras 2's whole-model .h5 is not supported; re-save with save_weights)"
                )
            layers = {name: variables(group) for name, group in root.items()}
            return {name: values for name, values in layers.items() if values}
    except OSError as error:
        raise ModelImportError(f"{Path(path).name} is not a readable HDF5 file: {error}") from None


def variables(group) -> list[np.ndarray]:
    """vars/0, vars/1, … of a layer, or of its `cell` (where Keras's RNN layers keep them)."""
    holder = group["cell"] if "cell" in group else group
    if "vars" not in holder:
        return []
    found = holder["vars"]
    return [np.asarray(found[str(i)]) for i in range(len(found))]


def ordered_layers(layers: dict[str, list[np.ndarray]]) -> dict[str, list[tuple[str, list[np.ndarray]]]]:
    """The layers by kind, each kind in creation order (lstm, lstm_1, lstm_2, …)."""
    kinds: dict[str, list[tuple[int, str, list[np.ndarray]]]] = {}
    for name, values in layers.items():
        match = LAYER_NAME.fullmatch(name)
        if match is None:
            raise ModelImportError(f"layer {name!r} has weights but is none of Embedding, LSTM, GRU, SimpleRNN, Dense")
        kinds.setdefault(match[1], []).append((int(match[2] or 0), name, values))
    return {kind: [(name, values) for _, name, values in sorted(found)] for kind, found in kinds.items()}


def reorder_blocks(matrix: np.ndarray, order: list[int]) -> np.ndarray:
    """Rearrange the gate blocks along the last axis (Keras stacks gates as columns)."""
    blocks = np.split(matrix, 3, axis=-1)
    return np.concatenate([blocks[i] for i in order], axis=-1)


def unpack(name: str, values: list[np.ndarray], blocks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """kernel (X, G·H), recurrent_kernel (H, G·H) and bias (…, G·H), checked."""
    if len(values) not in (2, 3) or any(v.ndim != 2 for v in values[:2]):
        raise ModelImportError(f"{name}: expected kernel, recurrent_kernel and bias, got {[v.shape for v in values]}")
    kernel, recurrent = values[:2]
    hidden = recurrent.shape[0]
    if recurrent.shape != (hidden, blocks * hidden) or kernel.shape[1] != blocks * hidden:
        raise ModelImportError(
            f"{name}: expected kernel (X, {blocks}·H) and recurrent_kernel (H, {blocks}·H), "
            f"got {kernel.shape} and {recurrent.shape}"
        )
    bias = values[2] if len(values) == 3 else np.zeros(blocks * hidden, np.float32)
    return kernel, recurrent, bias


def convert_gru(name: str, kernel: np.ndarray, recurrent: np.ndarray, bias: np.ndarray) -> tuple[dict, str]:
    """nn.GRU's arrays, and which formulation they are in."""
    to_rzn = [1, 0, 2]  # Keras z, r, h -> nn.GRU r, z, n
    hidden = recurrent.shape[0]
    if bias.shape == (2, 3 * hidden):  # reset_after=True: nn.GRU's formulation, two biases
        return {
            "weight_ih": reorder_blocks(kernel, to_rzn).T,
            "weight_hh": reorder_blocks(recurrent, to_rzn).T,
            "bias_ih": reorder_blocks(bias[0], to_rzn),
            "bias_hh": reorder_blocks(bias[1], to_rzn),
        }, "pytorch"
    if bias.shape != (3 * hidden,):
        raise ModelImportError(
            f"{name}: expected a GRU bias of shape (2, {3 * hidden}) or ({3 * hidden},), got {bias.shape}"
        )
    flip_z = np.concatenate([-np.ones(hidden), np.ones(2 * hidden)]).astype(np.float32)  # article z = 1 − Keras z
    return {
        "weight_ih": reorder_blocks(kernel * flip_z, to_rzn).T,
        "weight_hh": reorder_blocks(recurrent * flip_z, to_rzn).T,
        "bias_ih": reorder_blocks(bias * flip_z, to_rzn),
        "bias_hh": np.zeros(3 * hidden, np.float32),
    }, "article"


def convert_recurrent(kind: str, name: str, values: list[np.ndarray]) -> tuple[dict, str | None]:
    """One Keras recurrent layer in nn.RNN's names (without the _l{k} suffix), and the
    GRU's formulation (None for the others)."""
    kernel, recurrent, bias = unpack(name, values, RECURRENT[kind][1])
    if kind == "gru":
        return convert_gru(name, kernel, recurrent, bias)
    if bias.ndim != 1:
        raise ModelImportError(f"{name}: expected a bias of shape ({kernel.shape[1]},), got {bias.shape}")
    return {"weight_ih": kernel.T, "weight_hh": recurrent.T, "bias_ih": bias, "bias_hh": np.zeros_like(bias)}, None


def only_one(kinds: dict, kind: str) -> list[np.ndarray] | None:
    found = kinds.get(kind, [])
    if len(found) > 1:
        raise ModelImportError(
            f"several {kind} layers ({', '.join(name for name, _ in found)}); Gatescope reads at most one"
        )
    return found[0][1] if found else None


def convert_keras(layers: dict[str, list[np.ndarray]]) -> tuple[str, dict[str, np.ndarray]]:
    """The cell's name and the model file's weight arrays."""
    kinds = ordered_layers(layers)
    recurrent_kinds = [kind for kind in RECURRENT if kind in kinds]
    if len(recurrent_kinds) != 1:
        raise ModelImportError(
            f"expected LSTM, GRU or SimpleRNN layers, all of one kind; found {', '.join(recurrent_kinds) or 'none'}"
        )
    kind = recurrent_kinds[0]
    weights: dict[str, np.ndarray] = {}
    variants = set()
    for layer, (name, values) in enumerate(kinds[kind]):
        converted, variant = convert_recurrent(kind, name, values)
        variants.add(variant)
        weights |= {f"rnn.{key}_l{layer}": np.asarray(value, np.float32) for key, value in converted.items()}
    if len(variants) > 1:
        raise ModelImportError("the GRU layers mix reset_after=True and reset_after=False")
    if kind == "gru":
        weights["gru_variant"] = np.array(variants.pop())
    embedding = only_one(kinds, "embedding")
    if embedding is not None:
        weights["encoder.weight"] = embedding[0]
    dense = only_one(kinds, "dense")
    if dense is not None:
        weights["decoder.weight"] = dense[0].T
        weights["decoder.bias"] = dense[1] if len(dense) > 1 else np.zeros(dense[0].shape[1], np.float32)
    return RECURRENT[kind][0], weights
