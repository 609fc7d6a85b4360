"""Error against bytes of candidate step-value encodings, on the bundled models' own values:
why the binary stream (app/tracing/wire.py) uses fixed point rather than float16.

    .venv/bin/python benchmarks/wire_precision.py

Each bundled model reads one text; every value of every step is encoded by each
candidate and decoded, and the largest absolute error against the cell's float32 is
reported per vector kind (gates: sigmoid or tanh outputs, bounded; states: C and h, C
unbounded; x: embeddings, unbounded), with the bytes per value the candidate spends.
The page shows values to 4 decimals, so an error above 5e-5 changes the shown digit.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.models.registry import BUNDLED_DIR, ModelRegistry  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.tracing.start import start_trace  # noqa: E402
from app.tracing.wire import SCALE, Reader, quantised  # noqa: E402

TEXT = "def read(path):\n    with open(path) as f:  # 'r'\n        return [line for line in f]\n" * 2
WORD_TEXT = "the king said that the women were tired and he left . i grew up in france"


def float16(v: np.ndarray) -> tuple[np.ndarray, float]:
    return v.astype(np.float16).astype(np.float64), 2


def scaled_int16(v: np.ndarray) -> tuple[np.ndarray, float]:
    """int16 scaled by the vector's own largest |v|, sent as a float32 beside it."""
    scale = float(np.abs(v).max()) or 1.0
    q = np.rint(v.astype(np.float64) / scale * SCALE)
    return q * np.float32(scale) / SCALE, 2 + 4 / len(v)


def fixed_point(v: np.ndarray) -> tuple[np.ndarray, float]:
    """app.tracing.wire: step 1/32767 in 2 or 3 bytes, float32 beyond."""
    data = quantised(v)
    return np.array(Reader(data).vector(len(v))), (len(data) - 1) / len(v)


CANDIDATES: dict[str, Callable] = {
    "float16": float16,
    "int16 × per-vector scale": scaled_int16,
    "fixed point 1/32767, 2–3 B (chosen)": fixed_point,
}


def vectors_by_kind(registry: ModelRegistry, settings: Settings) -> dict[str, list[np.ndarray]]:
    kinds: dict[str, list[np.ndarray]] = {"gates": [], "states": [], "x": []}
    for path in sorted(BUNDLED_DIR.glob("*.npz")):
        started = start_trace(registry, settings, path.stem, "")
        tokenizer = started.session.model.tokenizer
        text = WORD_TEXT if tokenizer.kind == "word" else TEXT
        for step in started.session.run(started.session.tokenize(text)):
            for record in step.layers:
                kinds["gates"] += [getattr(record, name) for name in record.GATES]
                kinds["states"] += [getattr(record, name) for name in record.STATES]
            if step.x is not None:
                kinds["x"].append(step.x)
    return kinds


def main() -> int:
    kinds = vectors_by_kind(ModelRegistry(), Settings())
    print(f"{'encoding':38s} {'kind':7s} {'largest |v|':>11s} {'max error':>10s} {'bytes/value':>11s}")
    for name, encode in CANDIDATES.items():
        for kind, vectors in kinds.items():
            errors, sizes = [], []
            for v in vectors:
                decoded, size = encode(np.asarray(v, np.float32))
                errors.append(np.abs(decoded - v.astype(np.float64)).max())
                sizes.append(size * len(v))
            largest = max(float(np.abs(v).max()) for v in vectors)
            print(
                f"{name:38s} {kind:7s} {largest:11.2f} {max(errors):10.2e} "
                f"{sum(sizes) / sum(len(v) for v in vectors):11.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
