"""What a benchmark ran on and with, printed with its numbers so a table row can be
checked later: date, CPU, cores, memory, and the BLAS (and its thread count) NumPy used.

OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set, pin OpenBLAS to an older kernel and slow
NumPy down; they are reported, never changed here."""

from __future__ import annotations

import datetime
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable

BLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_gib() -> float:
    try:
        with open("/proc/meminfo") as meminfo:
            return int(meminfo.readline().split()[1]) / 2**20  # MemTotal, in kB
    except (OSError, ValueError, IndexError):
        return float("nan")


def blas_pools() -> list[str]:
    """One line per BLAS / OpenMP pool loaded in this process (threadpoolctl)."""
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        return ["threadpoolctl not installed (pip install -e '.[bench]')"]
    return [
        f"{p['internal_api']} {p.get('version')} {p.get('architecture', '')} threads={p['num_threads']} "
        f"({os.path.basename(p['filepath'])})"
        for p in threadpool_info()
    ]


def describe() -> str:
    """A header for a benchmark's output."""
    variables = ", ".join(f"{name}={os.environ[name]}" for name in BLAS_VARIABLES if name in os.environ) or "none set"
    lines = [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {cpu_model()}, {os.cpu_count()} cores, {memory_gib():.0f} GiB",
        f"python {platform.python_version()}; BLAS environment: {variables}",
        *(f"pool: {line}" for line in blas_pools()),
    ]
    return "\n".join(lines)


def median_seconds(run: Callable[[], object], repeats: int) -> float:
    """The median wall time of `repeats` calls of run()."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def measured(run: Callable[[], object]) -> tuple[object, float, float]:
    """(result, seconds, peak extra MiB) of run(): the peak of Python's and NumPy's
    allocations during the call (tracemalloc, which NumPy reports its arrays to), above
    what was held when it started."""
    tracemalloc.start()
    held = tracemalloc.get_traced_memory()[0]
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, seconds, (peak - held) / 2**20
