"""Which models exist: the bundled ones inside the package, plus a user folder.

A model's name is its file's name without `.npz`, whatever characters the user chose
("my model", "_draft"); a user model named like a bundled one is listed as
`user/NAME`. A model is found by looking its name up among the files a directory
listing returned: a name is never joined onto a path, so no request can reach a file
outside the models folders.

Each file is loaded once and kept until it changes (a file that fails to load keeps its
error, so a bad file is not parsed again on every page). A changed file is told by its
inode, size, times and a checksum of its last bytes, where a zip keeps the checksums of
all its members: a file replaced by one of the same size and time is still noticed.
"""

from __future__ import annotations

import logging
import threading
import time
import unicodedata
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.models.format import ModelFileError, UnitLabel, load_model
from app.models.model import Model
from app.models.trained import TrainedModels
from app.settings import Settings

log = logging.getLogger(__name__)

BUNDLED_DIR = Path(__file__).parent / "bundled"
USER_PREFIX = "user/"  # the namespace of the user's folder: "/" is in no file's name
MAX_NAME_CHARS = 64  # what requests may name (their `model` fields are this long at most)
SUFFIX = ".npz"
TAIL_BYTES = 64 * 1024  # a zip's central directory (every member's CRC) is at its end
# A folder's listing is kept this long while the folder itself is unchanged (adding,
# removing or renaming a file changes its mtime at once). Listing resolves every path in it:
# about 1.3 ms for the bundled folder, which was 85% of a trace's start, paid by each of a
# class's 200 starts in the same second. The bound also catches what the folder's mtime
# does not show (a symlink's target replaced); a file's own content is checked when loaded.
LISTING_SECONDS = 2.0


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
    name: str  # what it is listed and looked up as
    path: Path
    bundled: bool
    problem: str | None = None  # why it cannot be used under its name (listed with it as its error)


class ModelSummary(BaseModel):
    """What /api/models and the stream's meta say about a model that loads."""

    model_config = ConfigDict(extra="forbid")

    name: str
    bundled: bool
    cell: str
    cell_title: str
    hidden_size: int
    layers: int
    tokenizer: str
    vocab_size: int
    input: Literal["embedding", "one-hot"]
    input_size: int
    has_decoder: bool
    trained: bool = Field(description="false: random weights, nothing learned (the page says so)")
    description: str
    description_zh: str | None = Field(None, description="the description in Simplified Chinese, if the file has one")
    gates: list[str]
    states: list[str]
    extras: list[str] = Field(description="per-step vectors beside gates and states (cwrnn: active)")
    cell_options: dict = Field(description="peepholes, gru_variant, periods: what the cell's diagram needs")
    units: list[UnitLabel] = Field(description="labelled units, from `gatescope label`")
    metrics: dict = Field(description="a trained model's held-out metrics (long-lag: accuracy_by_lag)")
    task: str | None = Field(None, description="the training task, e.g. variants (models of one task compare)")
    training: dict | None = Field(None, description="how it was trained: hidden, layers, parameters, epochs, lr, ...")
    compare_with: str | None = Field(None, description="the model the Compare view shows beside this one")
    guesses_after: list[str] | None = Field(
        description="the tokens after which it was trained to guess the next one (null: after every token)"
    )


class BrokenModel(BaseModel):
    """A listed file that cannot be used, with why."""

    model_config = ConfigDict(extra="forbid")

    name: str
    bundled: bool
    error: str


def guesses_after(model: Model) -> list[str] | None:
    """The tokens after which the model was trained to guess, in vocabulary order; None: after every token."""
    return None if model.guesses_after is None else [model.tokenizer.vocab[i] for i in sorted(model.guesses_after)]


def model_summary(model: Model, bundled: bool) -> ModelSummary:
    return ModelSummary(
        name=model.name,
        bundled=bundled,
        cell=model.cell.name,
        cell_title=model.cell.title,
        hidden_size=model.hidden_size,
        layers=model.num_layers,
        tokenizer=model.tokenizer.kind,
        vocab_size=model.vocab_size,
        input="embedding" if model.embedding is not None else "one-hot",
        input_size=model.layers[0].input_size,
        has_decoder=model.has_decoder,
        trained=model.trained,
        description=model.description,
        description_zh=model.info.get("description_zh"),  # a string: checked when the file was read
        gates=list(model.cell.gates),
        states=list(model.cell.states),
        extras=list(model.cell.extras),
        cell_options=model.cell_options,
        units=model.info.get("units", []),  # checked when the file was read (app.models.format.read_info)
        metrics=model.info.get("metrics", {}),
        task=model.info.get("task"),  # the three checked when the file was read, like units
        training=model.info.get("training"),
        compare_with=model.info.get("compare_with"),
        guesses_after=guesses_after(model),
    )


def name_problem(name: str) -> str | None:
    """Why a file's name cannot be a model's name, or None: it must be text that can be
    sent and typed (no control characters, no bytes that are not UTF-8) and short
    enough for a request to name it."""
    if not name:
        return "the file is named only '.npz': give it a name"
    if any(unicodedata.category(char) in ("Cc", "Cs") for char in name):
        return "the file's name holds control characters or bytes that are not UTF-8: rename it"
    if len(name) > MAX_NAME_CHARS:
        return f"the file's name is {len(name)} characters long, over {MAX_NAME_CHARS}: rename it"
    return None


def shown_name(name: str) -> str:
    """A file name as it can be listed: undecodable bytes and controls spelled out."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8").encode("unicode_escape").decode("ascii")[:80]


def fingerprint(path: Path) -> tuple:
    """What changes when the file does: its identity, size and times, and a checksum of
    its last TAIL_BYTES (cheap: one read, whatever the file's size)."""
    stat = path.stat()
    with open(path, "rb") as file:
        file.seek(max(0, stat.st_size - TAIL_BYTES))
        tail = zlib.crc32(file.read(TAIL_BYTES))
    return stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, tail


class ModelRegistry:
    """Lists model files and loads them on demand, caching each until its file changes."""

    def __init__(self, user_dir: Path | None = None, max_bytes: int | None = None, bundled_dir: Path = BUNDLED_DIR):
        self.bundled_dir = bundled_dir
        self.user_dir = Path(user_dir).expanduser() if user_dir else None
        self.max_bytes = max_bytes
        self._cache: dict[tuple[Path, str], tuple[tuple, Model | ModelFileError]] = {}
        self._lock = threading.Lock()
        self._loading: defaultdict[tuple[Path, str], threading.Lock] = defaultdict(threading.Lock)
        self._said: set[tuple[Path, str]] = set()  # (file, message) already logged: each is said once
        self._listings: dict[Path, tuple[tuple, float, tuple[ModelEntry, ...]]] = {}  # folder -> (stamp, when, entries)
        # Models trained in the page (app/models/trained.py): found by their exact name,
        # for the session that was sent it, and never listed.
        self.trained: TrainedModels | None = None

    @classmethod
    def for_settings(cls, settings: Settings) -> ModelRegistry:
        """The bundled models and the user's folder that `settings` name."""
        return cls(settings.models, settings.max_model_bytes)

    def _say_once(self, path: Path, message: str, *args) -> None:
        with self._lock:
            if (path, message) in self._said:
                return
            self._said.add((path, message))
        log.warning(message, *args)

    def _scan(self, folder: Path, bundled: bool) -> tuple[ModelEntry, ...]:
        """The model files in `folder`, listed again when it has changed or LISTING_SECONDS
        have passed."""
        try:
            stat = folder.stat()
            stamp: tuple = (stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_ctime_ns)
        except OSError:
            stamp = ()  # (listed as none: said once in the log)
        now = time.monotonic()
        with self._lock:
            kept = self._listings.get(folder)
        if kept is not None and kept[0] == stamp and now - kept[1] < LISTING_SECONDS:
            return kept[2]
        entries = tuple(self._list(folder, bundled))
        with self._lock:
            self._listings[folder] = (stamp, now, entries)
        return entries

    def _list(self, folder: Path, bundled: bool) -> list[ModelEntry]:
        """The model files in `folder`; none, said once in the log, when it cannot be read
        (a folder the server's user may not open still leaves the other folder's models)."""
        try:
            if not folder.is_dir():
                return []
            root = folder.resolve()
            paths = sorted(folder.iterdir())
        except OSError as error:
            self._say_once(folder, "models folder %s cannot be read: %s", folder, error.strerror or str(error))
            return []
        entries = []
        for path in paths:
            if not path.name.endswith(SUFFIX):
                continue
            resolved = path.resolve()
            if not resolved.is_file() or root not in resolved.parents:
                continue  # a symlink out of the folder, or not a file
            name = path.name[: -len(SUFFIX)]
            problem = name_problem(name)
            entries.append(ModelEntry(shown_name(name) if problem else name, resolved, bundled, problem))
        return entries

    def _user_entries(self) -> tuple[ModelEntry, ...]:
        return self._scan(self.user_dir, False) if self.user_dir else ()

    def entries(self) -> dict[str, ModelEntry]:
        """Every listed model by name: the bundled ones, then the user's (as user/NAME
        where a bundled model has the name)."""
        found = {entry.name: entry for entry in self._scan(self.bundled_dir, True)}
        for entry in self._user_entries():
            if entry.name in found:
                self._say_once(
                    entry.path,
                    "%s is named like a bundled model: it is listed as %s",
                    entry.path,
                    USER_PREFIX + entry.name,
                )
                entry = ModelEntry(USER_PREFIX + entry.name, entry.path, False, entry.problem)
            found[entry.name] = entry
        return found

    def names(self) -> list[str]:
        return list(self.entries())

    def entry(self, name: str, paths: bool = False) -> ModelEntry:
        """The listed model `name`; `user/NAME` is always the user folder's NAME. With
        `paths` (the shell user's own files, never a request), also a .npz file by path."""
        entries = self.entries() if isinstance(name, str) else {}
        entry = entries.get(name)
        if entry is None and isinstance(name, str) and name.startswith(USER_PREFIX):
            stem = name[len(USER_PREFIX) :]
            entry = next((e for e in self._user_entries() if e.name == stem), None)
            entry = entry and ModelEntry(name, entry.path, False, entry.problem)
        if entry is not None:
            if entry.problem:
                raise ModelFileError(f"{entry.path.name}: {entry.problem}")
            return entry
        if paths and isinstance(name, str) and (name.endswith(SUFFIX) or Path(name).exists()):
            path = Path(name).expanduser()
            if not path.is_file():
                raise ModelFileError(f"no model file at {path}")
            return ModelEntry(path.stem, path.resolve(), False)
        raise UnknownModelError(str(name)[:80], list(entries))

    def resolve(self, name: str, paths: bool = False) -> tuple[Model, ModelEntry]:
        """The model `name` (see `entry`), loaded, with its entry: the one lookup of a
        model by name that the app, the command line and training share. A model trained
        in the page (app/models/trained.py) is found by its exact name, never listed."""
        try:
            entry = self.entry(name, paths)
        except UnknownModelError:
            model = self.trained.get(name) if self.trained is not None else None
            if model is None or self.trained is None:
                raise
            return model, ModelEntry(model.name, self.trained.path_for(model.name), False)
        return self._load(entry), entry

    def get(self, name: str) -> Model:
        return self.resolve(name)[0]

    def summary(self, name: str) -> dict:
        """What /api/models says of the model `name` (a ModelSummary, as JSON); raises as `resolve`."""
        model, entry = self.resolve(name)
        return model_summary(model, entry.bundled).model_dump(mode="json")

    def _load(self, entry: ModelEntry) -> Model:
        if entry.problem:
            raise ModelFileError(f"{entry.path.name}: {entry.problem}")
        key = (entry.path, entry.name)  # a user file may be reached as NAME and as user/NAME
        with self._lock:
            loading = self._loading[key]
        with loading:  # one thread parses a file; the others wait for its result
            try:
                stamp = fingerprint(entry.path)
            except OSError as error:
                raise ModelFileError(f"{entry.path.name} cannot be read: {error.strerror}") from None
            with self._lock:
                cached = self._cache.get(key)
            if cached is None or cached[0] != stamp:
                cached = (stamp, self._read(entry))
                with self._lock:
                    self._cache[key] = cached
        if isinstance(cached[1], ModelFileError):
            raise ModelFileError(str(cached[1]))  # a new one each time: a raised error gathers its traceback
        return cached[1]

    def _read(self, entry: ModelEntry) -> Model | ModelFileError:
        """The model in the file, or the error it fails with. A file is data from anyone:
        whatever reading it raises (MemoryError, RecursionError, ...) is its error, never
        the app's."""
        try:
            return load_model(entry.path, entry.name, self.max_bytes)
        except ModelFileError as error:
            self._say_once(entry.path, "model %s cannot be used: %s", entry.name, str(error))
            return error
        except Exception as error:
            self._say_once(entry.path, "model %s cannot be read: %s: %s", entry.name, type(error).__name__, str(error))
            return ModelFileError(f"{entry.path.name} cannot be read: {type(error).__name__}: {str(error)[:200]}")

    def summaries(self) -> list[dict]:
        """Every listed model (ModelSummary as JSON); a file that fails to load is listed
        with its error (BrokenModel)."""
        result = []
        for entry in self.entries().values():
            try:
                result.append(model_summary(self._load(entry), entry.bundled).model_dump(mode="json"))
            except ModelFileError as error:
                result.append(BrokenModel(name=entry.name, bundled=entry.bundled, error=str(error)).model_dump())
        return result
