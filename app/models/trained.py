"""Models trained in the page (WS /ws/train), kept for the session that trained them.

They live in a folder of their own, never the models folder: a temporary one unless
GATESCOPE_TRAINED_DIR names one (`gatescope serve --workers N` makes one that all its
processes share, so a model trained by one is traced by any). The server makes each name,
`trained-TASK-CELL-` and ten random hex digits: a student's model is reached only by the
name their page was sent, and a name from a request is looked up among the folder's files,
never joined onto a path.

A model is kept for `keep_seconds` after it was written, and the folder holds at most
`max_bytes`: past that, the oldest models go first.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import threading
import time
from pathlib import Path

from app.models.format import ModelFileError, load_model
from app.models.model import Model

log = logging.getLogger(__name__)

PREFIX = "trained-"
SUFFIX = ".npz"


class TrainedModels:
    def __init__(self, folder: Path | None, max_bytes: int, keep_seconds: float, max_model_bytes: int | None = None):
        self._folder = Path(folder) if folder else None
        self._made_folder = False  # a temporary folder of ours, removed by close()
        self.max_bytes = max_bytes
        self.keep_seconds = keep_seconds
        self.max_model_bytes = max_model_bytes
        self._cache: dict[Path, tuple[int, Model]] = {}
        self._lock = threading.Lock()

    @property
    def folder(self) -> Path:
        with self._lock:
            if self._folder is None:
                self._folder = Path(tempfile.mkdtemp(prefix="gatescope-trained-"))
                self._made_folder = True
            self._folder.mkdir(parents=True, exist_ok=True)
            return self._folder

    def new_name(self, task: str, cell: str) -> str:
        return f"{PREFIX}{task}-{cell}-{secrets.token_hex(5)}"

    def path_for(self, new_name: str) -> Path:
        """Where a model this store named is written (the name is ours, not a request's)."""
        assert new_name.startswith(PREFIX) and "/" not in new_name
        return self.folder / f"{new_name}{SUFFIX}"

    def _files(self) -> list[tuple[Path, os.stat_result]]:
        """The kept models' files with their stats, oldest first; expired ones removed."""
        if self._folder is None or not self._folder.is_dir():
            return []
        now, files = time.time(), []
        for entry in os.scandir(self._folder):
            if not (
                entry.name.startswith(PREFIX) and entry.name.endswith(SUFFIX) and entry.is_file(follow_symlinks=False)
            ):
                continue
            stat = entry.stat(follow_symlinks=False)
            if now - stat.st_mtime > self.keep_seconds:
                self._remove(Path(entry.path))
            else:
                files.append((Path(entry.path), stat))
        listed = {path for path, _ in files}
        with self._lock:  # models another process removed are dropped here too
            for path in [path for path in self._cache if path not in listed]:
                del self._cache[path]
        return sorted(files, key=lambda item: item[1].st_mtime)

    def _remove(self, path: Path) -> None:
        path.unlink(missing_ok=True)
        with self._lock:
            self._cache.pop(path, None)

    def kept(self, name: str) -> None:
        """A model was just written under `name`: make room for it, the oldest going first.
        One larger than the whole folder's budget is not kept (ModelFileError)."""
        files = self._files()
        total = sum(stat.st_size for _, stat in files)
        for path, stat in files:
            if total <= self.max_bytes:
                break
            if path.name == f"{name}{SUFFIX}":
                continue
            log.info("trained model %s removed to keep the folder under %d bytes", path.name, self.max_bytes)
            self._remove(path)
            total -= stat.st_size
        if total > self.max_bytes:
            self._remove(self.path_for(name))
            raise ModelFileError(f"a trained model larger than the {self.max_bytes} bytes kept for all is not kept")

    def path(self, name: object) -> Path | None:
        """The file of the kept model `name`, found among the folder's files; None if none."""
        if not isinstance(name, str) or not name.startswith(PREFIX):
            return None
        wanted = f"{name}{SUFFIX}"
        return next((path for path, _ in self._files() if path.name == wanted), None)

    def get(self, name: object) -> Model | None:
        """The kept model `name`, loaded once per file; None if there is none."""
        path = self.path(name)
        if path is None:
            return None
        stamp = path.stat().st_mtime_ns
        with self._lock:
            cached = self._cache.get(path)
        if cached is None or cached[0] != stamp:
            cached = (stamp, load_model(path, path.name[: -len(SUFFIX)], self.max_model_bytes))
            with self._lock:
                self._cache[path] = cached
        return cached[1]

    def close(self) -> None:
        """Remove the folder, if it is a temporary one this store made."""
        if self._made_folder and self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
