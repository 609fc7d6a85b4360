"""`gatescope import keras`: a Keras 3 model, Embedding → LSTM / GRU / SimpleRNN layers →
Dense, read with h5py and zipfile; no TensorFlow needed.

Two files are read. A `.keras` archive (model.save) is a zip of config.json, which
records every layer's class and settings, and model.weights.h5; a `.weights.h5`
(model.save_weights) is the weights alone. Which layers are accepted, and what is
assumed for a weights file, is app/models/importers/keras_layers.py. The weights file
holds one group per layer under `layers/`, each with its variables as datasets 0, 1, …:

    layers/embedding/vars/0              (V, E)     embeddings
    layers/lstm/cell/vars/0, 1, 2        kernel (X, 4H), recurrent_kernel (H, 4H), bias (4H,)
    layers/gru/cell/vars/0, 1, 2         kernel (X, 3H), recurrent_kernel (H, 3H),
                                         bias (2, 3H) with reset_after=True (input, recurrent), else (3H,)
    layers/simple_rnn/cell/vars/0, 1, 2  kernel (X, H), recurrent_kernel (H, H), bias (H,)
    layers/dense/vars/0, 1               kernel (H, V), bias (V,)

(Keras 2.13's `_layer_checkpoint_dependencies/` in place of `layers/` is read too; the
older whole-model `.h5` of Keras 2, `model_weights/…`, is not.) A layer made with
use_bias=False has no last dataset.

Keras multiplies x · kernel where PyTorch multiplies W · x, so every matrix is transposed.
LSTM gates are i, f, c, o in both. Keras's GRU stacks z, r, h where nn.GRU stacks r, z, n;
with reset_after=True it is nn.GRU's formulation exactly. With reset_after=False it is the
article's formulation but with h_t = z * h_{t-1} + (1 − z) * h̃_t: the article's z is
Keras's 1 − z, so the z block is negated on the way in (σ(−a) = 1 − σ(a)).
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from app.models.importers import Converted, ModelImportError, plain_words
from app.models.importers.keras_layers import KerasLayer, chain_from_config, chain_from_groups

CELL_OF = {"lstm": ("lstm", 4), "gru": ("gru", 3), "simple_rnn": ("rnn", 1)}  # Keras layer -> cell, gate blocks
ROOTS = ("layers", "_layer_checkpoint_dependencies")
MAX_CONFIG_BYTES = 16 * 2**20  # a model's config.json is kilobytes; more is not a Keras config


def import_h5py():
    try:
        import h5py
    except ImportError:
        raise ModelImportError("`gatescope import keras` needs h5py: pip install 'gatescope[keras]'") from None
    return h5py


def read_keras(path: Path) -> Converted:
    """A .keras archive or a .weights.h5, converted."""
    path = Path(path)
    if zipfile.is_zipfile(path):
        config, weights = read_archive(path)
        try:
            chain = chain_from_config(config)
        except (AttributeError, TypeError, KeyError, IndexError, RecursionError) as error:  # not Keras's layout
            raise ModelImportError(
                f"{path.name}'s config.json is not laid out as a Keras 3 model's ({type(error).__name__}: {error})"
            ) from None
        with open_weights(io.BytesIO(weights), path.name) as root:
            check_claimed(root, chain)
            return convert_chain(chain, root, [])
    with open_weights(path, path.name) as root:
        chain, notes = chain_from_groups({name: has_datasets(group) for name, group in root.items()})
        return convert_chain(chain, root, notes)


def read_archive(path: Path) -> tuple[dict, bytes]:
    """config.json, parsed, and model.weights.h5's bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if not {"config.json", "model.weights.h5"} <= names:
                raise ModelImportError(
                    f"{path.name} is a zip without config.json and model.weights.h5: not a Keras 3 .keras archive"
                )
            if archive.getinfo("config.json").file_size > MAX_CONFIG_BYTES:
                raise ModelImportError(f"{path.name}'s config.json is over {MAX_CONFIG_BYTES} bytes")
            config = json.loads(archive.read("config.json"))
            return config, archive.read("model.weights.h5")
    except (zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ModelImportError(f"{path.name} is not a readable .keras archive: {plain_words(str(error))}") from None


class open_weights:
    """The weights file's layer root (layers/), open for reading."""

    def __init__(self, source, name: str):
        self.source, self.name = source, name

    def __enter__(self):
        h5py = import_h5py()
        try:
            self.file = h5py.File(self.source, "r")
        except OSError as error:
            raise ModelImportError(f"{self.name} is not a readable HDF5 file: {plain_words(str(error))}") from None
        root = next((self.file[name] for name in ROOTS if name in self.file), None)
        if root is None:
            self.file.close()
            raise ModelImportError(
                f"{self.name} has no 'layers' group: it is not a Keras 3 .weights.h5 or .keras archive "
                "(Keras 2's whole-model .h5 is not supported; re-save with Keras 3)"
            )
        return root

    def __exit__(self, *exc):
        self.file.close()


def has_datasets(group) -> bool:
    found = []
    group.visititems(lambda name, item: found.append(name) if hasattr(item, "shape") else None)
    return bool(found)


def variables(root, group: str) -> list[np.ndarray]:
    """vars/0, vars/1, … of a layer, or of its `cell` (where Keras's RNN layers keep them)."""
    if group not in root:
        raise ModelImportError(f"the weights have no layers/{group}, which the config describes")
    holder = root[group]["cell"] if "cell" in root[group] else root[group]
    if "vars" not in holder:
        return []
    found = holder["vars"]
    return [np.asarray(found[str(i)]) for i in range(len(found))]


def check_claimed(root, chain: list[KerasLayer]) -> None:
    """Every group with weights belongs to a layer of the config's chain."""
    claimed = {layer.group.split("/")[0] for layer in chain}
    for name, group in root.items():
        if name not in claimed and has_datasets(group):
            raise ModelImportError(f"the weights hold layers/{name}, which no layer of config.json accounts for")


def reorder_blocks(matrix: np.ndarray, order: list[int]) -> np.ndarray:
    """Rearrange the gate blocks along the last axis (Keras stacks gates as columns)."""
    blocks = np.split(matrix, 3, axis=-1)
    return np.concatenate([blocks[i] for i in order], axis=-1)


def unpack(
    layer: KerasLayer, values: list[np.ndarray], blocks: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """kernel (X, G·H), recurrent_kernel (H, G·H) and bias (…, G·H) or None, checked."""
    name = f"layers/{layer.group}"
    expected = {True: (3,), False: (2,), None: (2, 3)}[layer.use_bias]
    if len(values) not in expected or any(v.ndim != 2 for v in values[:2]):
        raise ModelImportError(
            f"{name}: expected kernel, recurrent_kernel{'' if layer.use_bias is False else ' and bias'}, "
            f"got {[v.shape for v in values]}"
        )
    kernel, recurrent = values[:2]
    hidden = recurrent.shape[0]
    if recurrent.shape != (hidden, blocks * hidden) or kernel.shape[1] != blocks * hidden:
        raise ModelImportError(
            f"{name}: expected kernel (X, {blocks}·H) and recurrent_kernel (H, {blocks}·H), "
            f"got {kernel.shape} and {recurrent.shape}"
        )
    return kernel, recurrent, values[2] if len(values) == 3 else None


def convert_gru(layer: KerasLayer, kernel, recurrent, bias) -> tuple[dict, str]:
    """nn.GRU's arrays, and which formulation they are in."""
    to_rzn = [1, 0, 2]  # Keras z, r, h -> nn.GRU r, z, n
    hidden = recurrent.shape[0]
    reset_after = layer.reset_after
    if bias is None and reset_after is None:
        raise ModelImportError(
            f"layers/{layer.group} is a GRU without biases (use_bias=False), so the file cannot tell "
            "reset_after=True (nn.GRU's form) from reset_after=False (the article's); import the .keras archive "
            "(model.save('model.keras')), whose config records it"
        )
    if reset_after is None:
        reset_after = bias.shape == (2, 3 * hidden)
    if bias is None:
        bias = np.zeros((2, 3 * hidden) if reset_after else 3 * hidden, np.float32)
    if reset_after:  # nn.GRU's formulation, two biases
        if bias.shape != (2, 3 * hidden):
            raise ModelImportError(
                f"layers/{layer.group}: expected a bias of shape (2, {3 * hidden}), got {bias.shape}"
            )
        return {
            "weight_ih": reorder_blocks(kernel, to_rzn).T,
            "weight_hh": reorder_blocks(recurrent, to_rzn).T,
            "bias_ih": reorder_blocks(bias[0], to_rzn),
            "bias_hh": reorder_blocks(bias[1], to_rzn),
        }, "pytorch"
    if bias.shape != (3 * hidden,):
        raise ModelImportError(
            f"layers/{layer.group}: expected a GRU bias of shape (2, {3 * hidden}) or ({3 * hidden},), got {bias.shape}"
        )
    flip_z = np.concatenate([-np.ones(hidden), np.ones(2 * hidden)]).astype(np.float32)  # article z = 1 − Keras z
    return {
        "weight_ih": reorder_blocks(kernel * flip_z, to_rzn).T,
        "weight_hh": reorder_blocks(recurrent * flip_z, to_rzn).T,
        "bias_ih": reorder_blocks(bias * flip_z, to_rzn),
        "bias_hh": np.zeros(3 * hidden, np.float32),
    }, "article"


def convert_recurrent(layer: KerasLayer, values: list[np.ndarray]) -> tuple[dict, str | None]:
    """One Keras recurrent layer in nn.RNN's names (without the _l{k} suffix), and the
    GRU's formulation (None for the others)."""
    kernel, recurrent, bias = unpack(layer, values, CELL_OF[layer.kind][1])
    if layer.kind == "gru":
        return convert_gru(layer, kernel, recurrent, bias)
    if bias is None:
        bias = np.zeros(kernel.shape[1], np.float32)
    if bias.shape != (kernel.shape[1],):
        raise ModelImportError(f"layers/{layer.group}: expected a bias of shape ({kernel.shape[1]},), got {bias.shape}")
    return {"weight_ih": kernel.T, "weight_hh": recurrent.T, "bias_ih": bias, "bias_hh": np.zeros_like(bias)}, None


def convert_chain(chain: list[KerasLayer], root, notes: list[str]) -> Converted:
    """The cell and the model file's weight arrays, from the chain's variables."""
    weights: dict[str, np.ndarray] = {}
    variants = set()
    recurrent = [layer for layer in chain if layer.kind in CELL_OF]
    for k, layer in enumerate(recurrent):
        converted, variant = convert_recurrent(layer, variables(root, layer.group))
        variants.add(variant)
        weights |= {f"rnn.{key}_l{k}": np.asarray(value, np.float32) for key, value in converted.items()}
    if len(variants) > 1:
        raise ModelImportError("the GRU layers mix reset_after=True and reset_after=False")
    if recurrent[0].kind == "gru":
        weights["gru_variant"] = np.array(variants.pop())
    for layer in chain:
        if layer.kind not in ("embedding", "dense"):
            continue
        values = variables(root, layer.group)
        if not values:
            raise ModelImportError(f"layers/{layer.group} holds no weights")
        if layer.kind == "embedding":
            weights["encoder.weight"] = np.asarray(values[0], np.float32)
        elif layer.kind == "dense":
            if layer.use_bias is not None and len(values) != (2 if layer.use_bias else 1):
                raise ModelImportError(
                    f"layers/{layer.group}: expected {'kernel and bias' if layer.use_bias else 'a kernel'}"
                )
            weights["decoder.weight"] = np.asarray(values[0], np.float32).T
            weights["decoder.bias"] = (
                np.asarray(values[1], np.float32) if len(values) > 1 else np.zeros(values[0].shape[1], np.float32)
            )
    return Converted(CELL_OF[recurrent[0].kind][0], weights, notes)
