"""The lock files hold an exact, hashed version of everything pyproject.toml asks for, in its
range: a dependency added to pyproject without `make lock` fails here, not on a user's machine."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]


def locked(lock: str) -> dict[str, str]:
    """name -> version, for every `name==version \\` line followed by its hashes."""
    text = (REPO / lock).read_text()
    pins = re.findall(r"^([A-Za-z0-9._-]+)==(\S+) \\\n(?:\s+--hash=sha256:[0-9a-f]{64}\s*\\?\n)+", text, re.M)
    assert len(pins) == len(re.findall(r"^[A-Za-z0-9._-]+==", text, re.M)), f"{lock}: a pin without a hash"
    return {canonicalize_name(name): version for name, version in pins}


def wanted(*extras: str) -> list[Requirement]:
    requirements = [Requirement(spec) for spec in PROJECT["dependencies"]]
    for extra in extras:
        requirements += [Requirement(spec) for spec in PROJECT["optional-dependencies"][extra]]
    return requirements


@pytest.mark.parametrize("lock, extras", [("requirements.lock", ()), ("requirements-test.lock", ("test", "torch"))])
def test_every_dependency_is_locked_in_its_range_with_hashes(lock, extras):
    pins = locked(lock)
    for requirement in wanted(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{lock} lacks {requirement}: run `make lock`"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"{lock} pins {name}=={pins[name]}, outside {requirement}: run `make lock`"
        )


def test_the_test_lock_keeps_the_run_locks_versions():
    run, test = locked("requirements.lock"), locked("requirements-test.lock")
    assert {name: test.get(name) for name in run} == run
