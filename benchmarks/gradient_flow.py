"""Gradient flow's memory and time: the sweep that kept every step's Jacobians ("before")
against the one that accumulates backward (app/analysis/gradient_flow.py, "after"), side
by side in one run, and four requests at once against `gatescope serve`.

    nice -n 10 .venv/bin/python benchmarks/gradient_flow.py [--tokens 500 2000] [--max-before-gib 8] [--server]

Models: the bundled lstm-demo (H = 16), prose (H = 128) and code (H = 256), reading T
characters drawn from their own vocabularies (seeded). "Extra memory" is the peak of
NumPy's and Python's allocations during the call above what was held before it
(tracemalloc, which NumPy reports its arrays to). A "before" run whose Jacobians alone would
pass --max-before-gib is not run; its memory is then the Jacobians' size, computed. Both
sweeps must give the same norms (checked). With --server: the live server's resident memory
and each answer's time while four clients ask at once for the code model, first 2,000
characters (refused at once, over the budget), then as many as the budget fits; and a trace
of another model asked meanwhile.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import sys
import threading
import time
from pathlib import Path

import httpx2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.analysis.gradient_flow import GradientFlow, gradient_flow, step_jacobians, work_per_token  # noqa: E402
from app.models.model import Model  # noqa: E402
from app.models.registry import ModelRegistry  # noqa: E402
from app.settings import Settings  # noqa: E402
from benchmarks.machine import describe, measured  # noqa: E402
from benchmarks.server import serve  # noqa: E402

MODELS = ("lstm-demo", "prose", "code")  # H = 16, 128, 256
MiB = 2**20


def keep_every_jacobian(model: Model, ids: np.ndarray) -> GradientFlow:
    """The sweep as it was: every step's (J_s, J_x) kept, then one backward pass over them."""
    jacobians, names = step_jacobians(model.cell)
    records, _ = model.forward(ids, model.zero_state())
    params, hidden = model.layers[-1], model.hidden_size
    previous = {name: np.zeros(hidden) for name in names}
    pairs = []
    for record in records[-1]:
        pairs.append(jacobians(params, previous, record, None))
        previous = {name: getattr(record, name) for name in names}
    size = hidden * len(names)
    to_h, to_carried = np.eye(size)[-hidden:], np.eye(size)[:hidden]
    input_norms, state_norms = [], []
    for j_s, j_x in reversed(pairs):
        input_norms.append(float(np.linalg.norm(to_h @ j_x)))
        state_norms.append(float(np.linalg.norm(to_carried @ np.eye(size)[:hidden].T)))
        to_h, to_carried = to_h @ j_s, to_carried @ j_s
    return GradientFlow(names[0], input_norms[::-1], state_norms[::-1])


def jacobian_bytes(model: Model, tokens: int) -> int:
    _, names = step_jacobians(model.cell)
    size = model.hidden_size * len(names)
    return tokens * (size * size + size * model.layers[-1].input_size) * 8


def sweep(tokens: list[int], max_before_gib: float) -> None:
    registry = ModelRegistry()
    print("| model | H | T | before: time | before: extra memory | after: time | after: extra memory |")
    print("|---|---|---|---|---|---|---|")
    for name in MODELS:
        model = registry.get(name)
        rng = np.random.default_rng(0)
        for count in tokens:
            ids = rng.integers(0, model.vocab_size, count)
            after, after_s, after_mib = measured(lambda: gradient_flow(model, ids))  # noqa: B023
            if jacobian_bytes(model, count) > max_before_gib * 2**30:
                before = f"not run | {jacobian_bytes(model, count) / 2**30:.1f} GiB of Jacobians alone"
            else:
                kept, before_s, before_mib = measured(lambda: keep_every_jacobian(model, ids))  # noqa: B023
                np.testing.assert_allclose(kept.input_norms, after.input_norms, rtol=1e-6, atol=1e-300)
                np.testing.assert_allclose(kept.state_norms, after.state_norms, rtol=1e-6, atol=1e-300)
                before = f"{before_s:.2f} s | {before_mib:,.0f} MiB"
            print(f"| {name} | {model.hidden_size} | {count} | {before} | {after_s:.2f} s | {after_mib:,.1f} MiB |")


def server_load() -> None:
    settings = Settings()
    code = ModelRegistry().get("code")
    fits = settings.max_gradient_work // work_per_token(code, 0)
    vocabulary = [token for token in code.tokenizer.vocab if len(token) == 1 and token.isprintable()]
    rng = np.random.default_rng(1)

    def text(n: int) -> str:
        return "".join(rng.choice(vocabulary, n))

    with serve() as server:
        httpx2.post(f"{server.url}/api/trace", json={"model": "code", "text": "warm"}, timeout=60)
        baseline = server.rss_bytes()
        peak = [baseline]
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.is_set():
                peak[0] = max(peak[0], server.rss_bytes())
                time.sleep(0.02)

        sampler = threading.Thread(target=sample)
        sampler.start()

        def ask(body: dict, path: str = "/api/gradients") -> tuple[int, float]:
            start = time.perf_counter()
            response = httpx2.post(f"{server.url}{path}", json=body, timeout=600)
            return response.status_code, time.perf_counter() - start

        print(f"\nserver: code model (H = 256), budget {settings.max_gradient_work:,} fits {fits} tokens")
        for label, count in (("2,000 characters", 2000), (f"{fits} characters (what fits)", fits)):
            with concurrent.futures.ThreadPoolExecutor(5) as pool:
                asked = [pool.submit(ask, {"model": "code", "text": text(count)}) for _ in range(4)]
                time.sleep(0.2)
                trace = pool.submit(ask, {"model": "prose", "text": text(200)}, "/api/trace")
                answers = [a.result() for a in asked]
            statuses = sorted({status for status, _ in answers})
            times = ", ".join(f"{seconds:.2f}" for _, seconds in sorted(answers, key=lambda a: a[1]))
            print(
                f"4 at once, {label}: status {statuses}, answered in {times} s; "
                f"a trace of 200 tokens meanwhile: {trace.result()[1]:.2f} s"
            )
        sampling.set()
        sampler.join()
        print(
            f"server RSS: {baseline / MiB:.0f} MiB before, peak {peak[0] / MiB:.0f} MiB (+{(peak[0] - baseline) / MiB:.0f})"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, nargs="+", default=[500, 2000])
    parser.add_argument("--max-before-gib", type=float, default=8.0, help="skip a 'before' run needing more")
    parser.add_argument("--server", action="store_true", help="also four requests at once to a live server")
    args = parser.parse_args()
    print(describe())
    print(f"load average: {' '.join(f'{x:.1f}' for x in __import__('os').getloadavg())}\n")
    sweep(args.tokens, args.max_before_gib)
    if args.server:
        server_load()


if __name__ == "__main__":
    main()
