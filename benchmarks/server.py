"""`gatescope serve` for the benchmarks: the test suite's live server (tests/live_server.py),
optionally with a folder of extra models."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.live_server import LiveServer, live_server

Server = LiveServer


@contextlib.contextmanager
def serve(models: Path | None = None, start_timeout: float = 30) -> Iterator[LiveServer]:
    env = {"GATESCOPE_MODELS": str(models)} if models is not None else None
    with live_server(env, start_timeout) as server:
        yield server
