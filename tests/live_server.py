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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx2


@dataclass(frozen=True)
class LiveServer:
    url: str  # http://127.0.0.1:PORT
    process: subprocess.Popen

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


@contextlib.contextmanager
def live_server(
    env: dict[str, str] | None = None, startup_seconds: float = 30, module: tuple[str, ...] = ("app", "serve"), root=""
) -> Iterator[LiveServer]:
    """Start the server with GATESCOPE_* overrides in `env`, wait for /healthz, stop it after.
    `module` is what `python -m` runs, given --host and --port; `root`, a path it serves under."""
    port = free_port()
    log = tempfile.TemporaryFile()  # a file, not a pipe: a pipe nobody reads would fill and stall the server
    process = subprocess.Popen(
        [sys.executable, "-m", *module, "--host", "127.0.0.1", "--port", str(port)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, **(env or {})},
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            try:
                if httpx2.get(f"{url}{root}/healthz").status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                process.wait()
                log.seek(0)
                raise RuntimeError(f"the server did not start:\n{log.read().decode(errors='replace')}")
            time.sleep(0.1)
        yield LiveServer(url, process)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
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
