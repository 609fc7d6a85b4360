"""Which models exist: the bundled ones inside the package, plus a user folder.

Model names are file stems matched against a strict pattern, and a model is found by
looking its name up among the files a directory listing returned; a name is never
joined onto a path, so no request can reach a file outside the models folders.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from app.models.format import ModelFileError, load_model
from app.models.model import Model
from app.models.trained import TrainedModels

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "bundled"
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


class UnknownModelError(KeyError):
    code = "unknown_model"

    def __init__(self, name: str, known: list[str]):
        super().__init__(name)
        self.name = name
        self.known = known

    def __str__(self) -> str:
        return f"unknown model {self.name!r}; available: {', '.join(self.known) or 'none'}"


@dataclass(frozen=True)
class ModelEntry:
    name: str
    path: Path
    bundled: bool


def model_summary(model: Model, bundled: bool) -> dict:
    """What /api/models and the stream's meta say about a model."""
    return {
        "name": model.name,
        "cell": model.cell.name,
        "cell_title": model.cell.title,
        "hidden_size": model.hidden_size,
        "layers": model.num_layers,
        "tokenizer": model.tokenizer.kind,
        "vocab_size": model.vocab_size,
        "input": "embedding" if model.embedding is not None else "one-hot",
        "input_size": model.layers[0].input_size,
        "has_decoder": model.has_decoder,
        "trained": model.trained,
        "description": model.description,
        "bundled": bundled,
        "gates": list(model.cell.gates),
        "states": list(model.cell.states),
        "extras": list(model.cell.extras),
        "cell_options": model.cell_options,
        "units": model.info.get(
            "units", []
        ),  # labelled units: {unit, layer, vector, feature, r}, from `gatescope label`
        "metrics": model.info.get("metrics", {}),  # a trained model's held-out metrics (long-lag: accuracy_by_lag)
    }


class ModelRegistry:
    """Lists model files and loads them on demand, caching each until its file changes."""

    def __init__(self, user_dir: Path | None = None, max_bytes: int | None = None, bundled_dir: Path = BUNDLED_DIR):
        self.bundled_dir = bundled_dir
        self.user_dir = Path(user_dir).expanduser() if user_dir else None
        self.max_bytes = max_bytes
        self._cache: dict[Path, tuple[tuple[int, int], Model]] = {}
        self._lock = threading.Lock()
        # Models trained in the page (app/models/trained.py): found by their exact name,
        # for the session that was sent it, and never listed.
        self.trained: TrainedModels | None = None

    def _scan(self, folder: Path, bundled: bool) -> list[ModelEntry]:
        if not folder.is_dir():
            return []
        root = folder.resolve()
        entries = []
        for path in sorted(folder.glob("*.npz")):
            resolved = path.resolve()
            if not resolved.is_file() or root not in resolved.parents:
                continue  # a symlink out of the folder, or not a file
            if NAME_PATTERN.fullmatch(path.stem):
                entries.append(ModelEntry(path.stem, resolved, bundled))
        return entries

    def entries(self) -> dict[str, ModelEntry]:
        found: dict[str, ModelEntry] = {}
        for entry in self._scan(self.bundled_dir, True) + (self._scan(self.user_dir, False) if self.user_dir else []):
            if entry.name in found:
                log.warning("model %s in %s is shadowed by the bundled one", entry.name, entry.path)
                continue
            found[entry.name] = entry
        return found

    def names(self) -> list[str]:
        return list(self.entries())

    def is_bundled(self, name: str) -> bool:
        return any(entry.name == name for entry in self._scan(self.bundled_dir, True))

    def get(self, name: str) -> Model:
        entry = self.entries().get(name) if isinstance(name, str) else None
        if entry is None:
            trained = self.trained.get(name) if self.trained is not None else None
            if trained is not None:
                return trained
            raise UnknownModelError(str(name)[:80], self.names())
        return self._load(entry)

    def _load(self, entry: ModelEntry) -> Model:
        stat = entry.path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        with self._lock:
            cached = self._cache.get(entry.path)
            if cached and cached[0] == stamp:
                return cached[1]
        model = load_model(entry.path, entry.name, self.max_bytes)
        with self._lock:
            self._cache[entry.path] = (stamp, model)
        return model

    def summaries(self) -> list[dict]:
        """Every listed model; a file that fails to load is listed with its error."""
        result = []
        for entry in self.entries().values():
            try:
                result.append(model_summary(self._load(entry), entry.bundled))
            except (ModelFileError, OSError) as error:
                result.append({"name": entry.name, "bundled": entry.bundled, "error": str(error)})
        return result
