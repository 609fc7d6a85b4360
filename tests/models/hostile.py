"""Model files made to break whoever reads them: each one a case a reader must refuse
with a clear error, leaving every other model served. `write_hostile_files(folder)`
writes them all and returns what each one's error must mention."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import numpy as np

from app.models.format import model_to_arrays
from tests.helpers import tiny_model


def good_arrays() -> dict[str, np.ndarray]:
    return model_to_arrays(tiny_model())


def with_changes(**changes) -> dict[str, np.ndarray]:
    arrays = good_arrays()
    arrays.update({key.replace("__", "."): value for key, value in changes.items()})
    return arrays


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def with_member(path: Path, member: str, data: bytes) -> None:
    """`path`, a good model whose `member` holds `data` instead."""
    with zipfile.ZipFile(path, "w") as archive:
        for key, value in good_arrays().items():
            name = f"{key}.npy"
            archive.writestr(name, data if name == member else npy_bytes(value))


def hundred_gigabyte_header() -> bytes:
    """A valid .npy header declaring 25e9 float32s (100 GB), followed by 16 bytes."""
    buffer = io.BytesIO()
    header = {"descr": "<f4", "fortran_order": False, "shape": (25_000_000_000,)}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + b"\x00" * 16


def weights_beyond_float32() -> dict[str, np.ndarray]:
    arrays = good_arrays()
    weights = arrays["rnn.weight_hh_l0"].astype(np.float64)
    weights[0, 0] = 1e300  # finite here; infinite once read as float32
    arrays["rnn.weight_hh_l0"] = weights
    return arrays


# name -> (how to write it into a path, what its error must mention)
HOSTILE = {
    "version-string": (lambda p: np.savez(p, **with_changes(version=np.array("1"))), "'version' must be"),
    "version-array": (lambda p: np.savez(p, **with_changes(version=np.array([1, 2]))), "'version' must be"),
    "version-nan": (lambda p: np.savez(p, **with_changes(version=np.array(np.nan))), "'version' must be"),
    "trained-array": (lambda p: np.savez(p, **with_changes(trained=np.array([True, False]))), "'trained' must be"),
    "info-100000-deep": (
        lambda p: np.savez(p, **with_changes(info=np.array('{"a": ' + "[" * 100_000 + "]" * 100_000 + "}"))),
        "nests deeper",
    ),
    "info-5000-digits": (lambda p: np.savez(p, **with_changes(info=np.array('{"n": ' + "9" * 5000 + "}"))), "'info'"),
    "info-units-not-objects": (
        lambda p: np.savez(p, **with_changes(info=np.array(json.dumps({"units": [1, "two"]})))),
        "'info.units' must be a list of labels",
    ),
    "info-unit-out-of-range": (
        lambda p: np.savez(
            p,
            **with_changes(info=np.array(json.dumps({"units": [{"unit": 99, "vector": "h", "feature": "x", "r": 1}]}))),
        ),
        "unit 99 of layer 0",
    ),
    "info-nan-metrics": (
        lambda p: np.savez(p, **with_changes(info=np.array('{"metrics": {"loss": NaN}}'))),
        "NaN is not a number",
    ),
    "info-infinite-metrics": (
        lambda p: np.savez(p, **with_changes(info=np.array('{"metrics": {"loss": 1e999}}'))),
        "beyond float64",
    ),
    "member-without-magic": (lambda p: with_member(p, "cell.npy", b"lstm"), "does not start with the .npy magic"),
    "header-100-gb": (
        lambda p: with_member(p, "decoder.bias.npy", hundred_gigabyte_header()),
        "declares 100000000000 bytes",
    ),
    "weights-1e300": (lambda p: np.savez(p, **weights_beyond_float32()), "beyond float32's range"),
    "garbage": (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "not a readable .npz"),
}


def write_hostile_files(folder: Path) -> dict[str, str]:
    """Every hostile file, as NAME.npz in `folder`: {name: what its error mentions}."""
    for name, (write, _) in HOSTILE.items():
        write(folder / f"{name}.npz")
    return {name: mention for name, (_, mention) in HOSTILE.items()}
