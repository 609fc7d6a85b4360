"""`gatescope serve` in a subprocess on a free loopback port, as a user runs it; for the
browser tests, the tests that need a real network stack, and benchmarks/load.py."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import httpx2


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen
    log: BinaryIO  # what it printed

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def output(self) -> str:
        """Everything it printed so far (read without moving the offset the server writes at)."""
        return os.pread(self.log.fileno(), 1 << 24, 0).decode(errors="replace")

    @property
    def ws_url(self) -> str:
        return self.url.replace("http://", "ws://") + "/ws/trace"

    def rss_bytes(self) -> int:
        """The server's resident memory, from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS for the server process")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(health_url: str, seconds: float, process: subprocess.Popen | None = None, **options) -> bool:
    """Whether `health_url` answers 200 within `seconds` (False at once if `process` exits)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx2.get(health_url, **options).status_code == 200:
                return True
        except httpx2.TransportError:
            pass
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            return False
        time.sleep(0.1)


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def live_server(
    env: dict[str, str] | None = None,
    startup_seconds: float = 30,
    module: tuple[str, ...] = ("app", "serve"),
    root: str = "",
    *,
    command: Sequence[str] | None = None,
    serve_args: Sequence[str] = (),
    cwd: Path | None = None,
    inherit_env: bool = True,
) -> Iterator[LiveServer]:
    """Start the server with GATESCOPE_* overrides in `env` (or with `env` alone, when not
    `inherit_env`), wait for /healthz, stop it after. `module` is what `python -m` runs, or
    `command` (e.g. an installed `gatescope serve`), given --host, --port and `serve_args`;
    `root`, a path it serves under."""
    port = free_port()
    log = tempfile.TemporaryFile()  # a file, not a pipe: a pipe nobody reads would fill and stall the server
    process = subprocess.Popen(
        [*(command or (sys.executable, "-m", *module)), "--host", "127.0.0.1", "--port", str(port), *serve_args],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**(os.environ if inherit_env else {}), **(env or {})},
        cwd=cwd,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        if not answers(f"{url}{root}/healthz", startup_seconds, process):
            process.kill()
            process.wait()
            log.seek(0)
            raise RuntimeError(f"the server did not start:\n{log.read().decode(errors='replace')}")
        yield LiveServer(url, process, log)
    finally:
        stop(process)
        log.close()


@contextlib.contextmanager
def static_site(folder: Path, files: dict[str, str]) -> Iterator[str]:
    """`files` written into `folder` and served from another origin (another port), as a
    course site would serve its pages; yields its base URL."""
    for name, content in files.items():
        (folder / name).write_text(content, encoding="utf-8")
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                httpx2.get(f"{base}/{next(iter(files))}")
                break
            except httpx2.TransportError:
                time.sleep(0.05)
        yield base
    finally:
        process.terminate()
        process.wait(5)
