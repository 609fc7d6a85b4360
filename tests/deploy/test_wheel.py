"""The built wheel, installed in a clean virtual environment from the lock file, serves the
app from another folder: templates, static files and bundled models all come from inside it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.deploy.served import check_served
from tests.live_server import live_server

REPO = Path(__file__).resolve().parents[2]


def run(*command, cwd: Path | None = None) -> str:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, command))}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def clean_env() -> dict[str, str]:
    """This environment without anything that would point Python at the checkout or our venv."""
    return {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


@pytest.fixture(scope="module")
def installed_wheel(tmp_path_factory) -> Path:
    """`make wheel`'s command, then a fresh venv holding the run lock and that wheel, nothing else."""
    root = tmp_path_factory.mktemp("wheel")
    run(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", root / "dist", REPO)
    (wheel,) = (root / "dist").glob("gatescope-*.whl")
    venv = root / "venv"
    run(sys.executable, "-m", "venv", venv)
    run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--require-hashes", "-r", REPO / "requirements.lock")
    run(venv / "bin/python", "-m", "pip", "install", "--quiet", "--no-deps", wheel)
    return venv


def test_the_installed_package_is_the_wheels_not_the_checkout(installed_wheel, tmp_path):
    where = run(
        installed_wheel / "bin/python",
        "-c",
        "import app, app.settings as s; print(app.__file__); print(s.Settings().templates_dir); "
        "print(s.Settings().static_dir)",
        cwd=tmp_path,
    ).split()
    site_packages = next((installed_wheel / "lib").glob("python3.*/site-packages"))
    assert all(Path(path).is_relative_to(site_packages) for path in where), where
    assert (Path(where[1]) / "index.html").is_file() and (Path(where[2]) / "js" / "main.js").is_file()


def test_gatescope_serve_from_the_wheel_serves_the_page_and_the_stream(installed_wheel, tmp_path):
    env = {**clean_env(), "PATH": f"{installed_wheel / 'bin'}:{os.environ['PATH']}"}
    command = [installed_wheel / "bin" / "gatescope", "serve"]
    with live_server(env, command=command, cwd=tmp_path, inherit_env=False) as server:
        check_served(server.url + "/")
        assert "Traceback" not in server.output()
