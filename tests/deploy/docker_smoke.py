"""`make docker-smoke`: build the Docker image and check that it serves, on a Debian machine
where no container registry is reachable (docs/deploy.md, "Docker").

Steps, each timed: Debian's docker.io and debootstrap (installed when missing, as root);
dockerd (started when not running, stopped again at the end); a `local/debian:bookworm` base
image made with debootstrap from the mirror apt already uses (kept for the next run); the
image, built with BASE set to it, the host's network and pip's CA bundle as a build secret;
a container of it, checked like the wheel (page, script, static file, plotly.js, model list,
a trace over the stream), as a non-root user, from the installed wheel; then compose.yaml's
two replicas behind nginx (an nginx image made from the same base: no registry here), each
serving students; everything started is removed again.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from tests.deploy.served import check_served, trace_over_stream
from tests.live_server import answers, free_port

REPO = Path(__file__).resolve().parents[2]
BASE = "local/debian:bookworm"
IMAGE = "gatescope:smoke"
NGINX_IMAGE = "local/nginx:bookworm"
NGINX_DOCKERFILE = f"""FROM {BASE}
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light \\
    && rm -rf /var/lib/apt/lists/* /etc/nginx/sites-enabled/default
CMD ["nginx", "-g", "daemon off;"]
"""
DOCKER = "/usr/bin/docker"  # Debian's client, which builds with the daemon's own BuildKit (no buildx)


def step(title: str):
    print(f"\n== {title}", flush=True)
    return time.monotonic()


def done(started: float, timings: dict[str, float], name: str) -> None:
    timings[name] = time.monotonic() - started
    print(f"   {timings[name]:.0f} s", flush=True)


def run(*command: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(command, check=True, **options)


def docker(*args: str, **options) -> subprocess.CompletedProcess:
    return run(DOCKER, *args, **options)


def install_packages() -> None:
    needed = {
        "docker.io": "/usr/sbin/dockerd",
        "debootstrap": "/usr/sbin/debootstrap",
        "docker-compose": "/usr/bin/docker-compose",
    }
    missing = [package for package, program in needed.items() if not Path(program).exists()]
    if not missing:
        return
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        sys.exit(f"docker-smoke needs Debian's {' and '.join(missing)}: sudo apt-get install {' '.join(missing)}")
    run("apt-get", "update", "-qq")
    run("apt-get", "install", "-y", "-qq", *missing, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})


def daemon_up() -> bool:
    return subprocess.run([DOCKER, "info"], capture_output=True).returncode == 0


@contextlib.contextmanager
def dockerd() -> Iterator[None]:
    """The daemon, started here (and stopped after) unless it already runs."""
    if daemon_up():
        yield
        return
    log = open(tempfile.gettempdir() + "/gatescope-dockerd.log", "wb")  # noqa: SIM115 (closed below)
    process = subprocess.Popen(["/usr/sbin/dockerd"], stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not daemon_up():
            if process.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"dockerd did not start; its log: {log.name}")
            time.sleep(0.5)
        yield
    finally:
        process.terminate()
        process.wait(30)
        log.close()


def apt_mirror() -> str:
    """The Debian mirror apt uses here (deb822 or one-line sources)."""
    for path in [Path("/etc/apt/sources.list"), *sorted(Path("/etc/apt/sources.list.d").glob("*"))]:
        if not path.is_file() or "disabled" in path.name:
            continue
        text = path.read_text()
        found = re.search(r"^URIs:\s*(\S+/debian)\s*$", text, re.M) or re.search(r"^deb\s+(\S+/debian)\s", text, re.M)
        if found:
            return found[1]
    sys.exit("no Debian mirror found in apt's sources")


def base_image() -> None:
    if subprocess.run([DOCKER, "image", "inspect", BASE], capture_output=True).returncode == 0:
        print(f"   {BASE} is there already")
        return
    with tempfile.TemporaryDirectory() as root:
        run("debootstrap", "--variant=minbase", "bookworm", root, apt_mirror(), stdout=subprocess.DEVNULL)
        tar = subprocess.Popen(["tar", "-C", root, "-c", "."], stdout=subprocess.PIPE)
        docker("import", "-", BASE, stdin=tar.stdout, stdout=subprocess.DEVNULL)
        tar.wait()


def pip_cert() -> str | None:
    listed = subprocess.run([sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True).stdout
    found = re.search(r"^(?:global|:env:)\.cert='([^']+)'", listed, re.M)
    return found[1] if found else None


def build() -> None:
    secret = ["--secret", f"id=pip-cert,src={pip_cert()}"] if pip_cert() else []
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    docker("build", "--network", "host", "--build-arg", f"BASE={BASE}", *secret, "-t", IMAGE, str(REPO), env=env)


def check_container() -> None:
    port = free_port()
    name = f"gatescope-smoke-{port}"
    # The host's network (dockerd's bridge needs iptables rules this machine may not allow); the port by setting.
    docker(
        "run",
        "-d",
        "--name",
        name,
        "--network",
        "host",
        "-e",
        f"GATESCOPE_PORT={port}",
        IMAGE,
        stdout=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for(url, [DOCKER, "logs", name])
        check_served(url)
        where = docker("exec", name, "python", "-c", "import app, os; print(app.__file__, os.getuid())",
                       capture_output=True, text=True).stdout.split()  # fmt: skip
        assert where[0].startswith("/opt/gatescope/lib/") and where[1] == "10001", where
        test = docker("image", "inspect", "--format", "{{json .Config.Healthcheck.Test}}", IMAGE,
                      capture_output=True, text=True).stdout  # fmt: skip
        kind, command = json.loads(test)
        assert kind == "CMD-SHELL"
        docker("exec", name, "sh", "-c", command)  # the image's HEALTHCHECK, run now rather than in 30 s
        print(f"   served from {where[0]} as uid {where[1]}: page, app.js, static, plotly.js, models, a trace")
    finally:
        docker("rm", "-f", "-v", name, stdout=subprocess.DEVNULL)  # -v: its anonymous /models volume too


def wait_for(url: str, logs: list[str]) -> None:
    if not answers(url + "healthz", 60):
        sys.exit(f"no answer from {url}healthz:\n" + subprocess.run(logs, capture_output=True, text=True).stdout)


def check_compose() -> None:
    """compose.yaml as a user runs it, with the images built here and a port of its own."""
    if subprocess.run([DOCKER, "image", "inspect", NGINX_IMAGE], capture_output=True).returncode != 0:
        docker(
            "build",
            "--network",
            "host",
            "-t",
            NGINX_IMAGE,
            "-",
            input=NGINX_DOCKERFILE.encode(),
            stdout=subprocess.DEVNULL,
        )
    port = free_port()
    compose = ["docker-compose", "-p", f"gatescope-smoke-{port}", "-f", str(REPO / "compose.yaml")]
    with tempfile.TemporaryDirectory() as models:
        os.chmod(models, 0o755)  # (made 0700): the container's own user, uid 10001, must read it
        env = {**os.environ, "GATESCOPE_IMAGE": IMAGE, "NGINX_IMAGE": NGINX_IMAGE, "GATESCOPE_PORT": str(port),
               "GATESCOPE_MODELS_DIR": models}  # fmt: skip
        run(*compose, "up", "-d", "--no-build", env=env, stderr=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}/"
            wait_for(url, [*compose, "logs", "--no-color"])
            check_served(url)
            for _ in range(4):
                assert trace_over_stream(url)[-1]["type"] == "done"
            logs = run(*compose, "logs", "--no-color", "gatescope", env=env, capture_output=True, text=True).stdout
            accepted = Counter(line.split("|")[0].strip() for line in logs.splitlines() if "[accepted]" in line)
            assert len(accepted) == 2 and min(accepted.values()) >= 2, accepted
            print(f"   two replicas behind nginx, streams per replica: {dict(accepted)}")
        finally:
            run(*compose, "down", "-v", env=env, stderr=subprocess.DEVNULL)


def main() -> None:
    timings: dict[str, float] = {}
    started = step("Debian's docker.io and debootstrap")
    install_packages()
    done(started, timings, "packages")
    with dockerd():
        started = step(f"base image {BASE} (debootstrap)")
        base_image()
        done(started, timings, "base image")
        started = step(f"docker build --build-arg BASE={BASE} -t {IMAGE}")
        build()
        done(started, timings, "build")
        started = step("the container serves")
        check_container()
        done(started, timings, "run and check")
        started = step("compose.yaml: two replicas behind nginx")
        check_compose()
        done(started, timings, "compose")
        sizes = {
            image: int(
                docker("image", "inspect", "--format", "{{.Size}}", image, capture_output=True, text=True).stdout
            )
            for image in (BASE, IMAGE, NGINX_IMAGE)
        }
    print("\n== docker-smoke passed: " + ", ".join(f"{name} {seconds:.0f} s" for name, seconds in timings.items()))
    print("   image sizes: " + ", ".join(f"{image} {size / 1e6:.0f} MB" for image, size in sizes.items()))


if __name__ == "__main__":
    main()
