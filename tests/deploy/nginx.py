"""Debian's nginx in front of live servers, with the configuration docs/deploy.md documents
(read from that page, so the page is what is tested), TLS from a self-signed certificate
made here, on free loopback ports."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import ssl
import subprocess
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.live_server import LiveServer, answers, free_port, stop

NGINX = os.environ.get("GATESCOPE_NGINX") or shutil.which("nginx") or "/usr/sbin/nginx"
DEPLOY_DOC = Path(__file__).resolve().parents[2] / "docs" / "deploy.md"
PREFIX = "/gatescope/"
# The settings docs/deploy.md gives each process behind this proxy.
BEHIND_PROXY = {"GATESCOPE_ROOT_PATH": "/gatescope", "GATESCOPE_TRUSTED_PROXIES": "127.0.0.1"}


def require_nginx() -> None:
    if not Path(NGINX).exists():
        pytest.skip(f"no nginx at {NGINX}: `make test` installs Debian's nginx-light (as root, with apt-get)")


def documented_site() -> str:
    """The ```nginx block of docs/deploy.md."""
    (block,) = re.findall(r"```nginx\n(.*?)```", DEPLOY_DOC.read_text(encoding="utf-8"), re.S)
    return block


def substitute(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, f"docs/deploy.md's nginx configuration no longer holds {old!r}"
        text = text.replace(old, new)
    return text


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1, valid for a day (openssl, in Debian's base)."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


@dataclass(frozen=True)
class Proxy:
    port: int
    cert: Path
    folder: Path

    @property
    def page_url(self) -> str:
        return f"https://localhost:{self.port}{PREFIX}"

    def tls(self) -> ssl.SSLContext:
        """A client context that trusts this proxy's certificate and nothing else."""
        return ssl.create_default_context(cafile=str(self.cert))

    def access_log(self) -> str:
        return (self.folder / "access.log").read_text()


@contextlib.contextmanager
def nginx_in_front(backends: Sequence[LiveServer], folder: Path) -> Iterator[Proxy]:
    """nginx on a free port terminating TLS for `backends` under /gatescope/, stopped after."""
    require_nginx()
    cert, key = self_signed_certificate(folder)
    port = free_port()
    servers = "".join(f"    server 127.0.0.1:{backend.port};\n" for backend in backends)
    site = substitute(
        documented_site(),
        {
            "    server 127.0.0.1:8001;    # gatescope serve --port 8001\n": servers,
            "    server 127.0.0.1:8002;    # a second process, or another machine: any serves any student\n": "",
            "listen 443 ssl;": f"listen 127.0.0.1:{port} ssl;",
            "server_name lstm.example.edu;": "server_name localhost;",
            "/etc/ssl/gatescope/cert.pem": str(cert),
            "/etc/ssl/gatescope/key.pem": str(key),
        },
    )
    temp = {name: folder / name for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")}
    config = folder / "nginx.conf"
    config.write_text(
        # as root, workers stay root: they write temp files under the test's private folder
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log info;\n"
        + "events { worker_connections 256; }\nhttp {\n"
        + f"    access_log {folder}/access.log;\n"
        + "".join(f"    {name}_temp_path {path};\n" for name, path in temp.items())
        + site
        + "}\n"
    )
    process = subprocess.Popen(
        [NGINX, "-p", str(folder), "-c", str(config), "-e", str(folder / "error.log"), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    proxy = Proxy(port, cert, folder)
    try:
        if not answers(f"{proxy.page_url}healthz", 20, process, verify=proxy.tls()):
            log = (folder / "error.log").read_text() if (folder / "error.log").exists() else ""
            raise RuntimeError(f"nginx did not start:\n{log}")
        yield proxy
    finally:
        stop(process)
