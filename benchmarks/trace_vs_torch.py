"""The app's whole-sequence LSTM trace, every gate recorded, against torch.nn.LSTM's
forward (outputs only) on the same weights: CPU, float32, batch 1, T = 1000.

    .venv/bin/python benchmarks/trace_vs_torch.py [--steps 1000] [--hidden 128 512 1024] [--repeats 9]

Both run in this one process, alternately, so a busy neighbour slows both alike; each
time is a median over repeats, and the ratio app / torch is what the targets judge
(≤ 1.0× at H ≥ 512, ≤ 2.0× at H = 128; issue 8). The input size is X = H, as in a
language model whose embedding is as wide as its hidden layer. Before timing, the two
outputs are checked to agree to float32 precision: a fast wrong answer counts for nothing.
The last column times the loop that what-if interventions take (a no-op fix at every
step, step_projected one call per token): the code every trace ran before the fast path.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.cells.base import keep  # noqa: E402
from app.cells.lstm import LSTM, params_from_arrays, zero_state  # noqa: E402
from benchmarks.machine import describe  # noqa: E402

TARGETS = {128: 2.0, 512: 1.0, 1024: 1.0}  # the largest app / torch ratio that meets issue 8


def target_for(hidden: int) -> float:
    return TARGETS.get(hidden, 1.0 if hidden >= 512 else 2.0)


def interleaved_medians(runs, repeats: int) -> list[float]:
    """Median seconds of each of runs, timed in turn, round after round."""
    times: list[list[float]] = [[] for _ in runs]
    for _ in range(repeats):
        for run, into in zip(runs, times):
            start = time.perf_counter()
            run()
            into.append(time.perf_counter() - start)
    return [statistics.median(t) for t in times]


def compare(torch, hidden: int, steps: int, repeats: int) -> dict:
    torch.manual_seed(hidden)
    reference = torch.nn.LSTM(hidden, hidden, num_layers=1).eval()
    xs = torch.randn(steps, 1, hidden)  # (T, batch 1, X)
    arrays = {k: v.detach().numpy() for k, v in reference.state_dict().items()}
    params, xs_np = params_from_arrays(arrays, 0), xs[:, 0].numpy()

    def app():
        return LSTM.trace(params, xs_np, zero_state(hidden))

    def app_fixable():
        return LSTM.trace(params, xs_np, zero_state(hidden), fixes=lambda k: keep)

    def pytorch():
        with torch.inference_mode():
            return reference(xs)[0]

    records, h_ref = app(), pytorch()[:, 0].numpy()
    h_app = np.stack([r.h for r in records])
    error = float(np.abs(h_app - h_ref).max())
    if not np.allclose(h_app, h_ref, rtol=1e-4, atol=1e-5):
        raise AssertionError(f"H={hidden}: the app's h differs from torch's by up to {error:.2e}")
    app_s, torch_s, fixable_s = interleaved_medians((app, pytorch, app_fixable), repeats)
    return {"hidden": hidden, "app_ms": app_s * 1e3, "torch_ms": torch_s * 1e3, "ratio": app_s / torch_s,
            "fixable_ratio": fixable_s / torch_s,
            "target": target_for(hidden), "max_abs_error": error}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=1000)
    parser.add_argument("--hidden", type=int, nargs="+", default=[128, 512, 1024])
    parser.add_argument("--repeats", type=int, default=9)
    parser.add_argument("--threads", type=int, help="limit NumPy's BLAS and torch to N threads (default: theirs)")
    args = parser.parse_args(argv)
    import torch  # after numpy, so both BLAS pools show below

    if args.threads:
        from threadpoolctl import threadpool_limits

        threadpool_limits(args.threads)
        torch.set_num_threads(args.threads)

    print(describe())
    print(f"torch {torch.__version__}: intra-op threads={torch.get_num_threads()}")
    print(f"T={args.steps}, batch 1, float32, X=H, median of {args.repeats}")
    print(f"{'H':>5} {'app ms':>9} {'torch ms':>9} {'app/torch':>10} {'target':>7}  {'met':<4} {'max|Δh|':>8} {'step loop/torch':>15}")
    for hidden in args.hidden:
        row = compare(torch, hidden, args.steps, args.repeats)
        met = row["ratio"] <= row["target"]
        print(f"{row['hidden']:>5} {row['app_ms']:>9.1f} {row['torch_ms']:>9.1f} {row['ratio']:>9.2f}× "
              f"{row['target']:>6.1f}×  {'yes' if met else 'NO':<4} {row['max_abs_error']:>8.1e} {row['fixable_ratio']:>14.2f}×")
    return 0


if __name__ == "__main__":
    sys.exit(main())
