"""The models trained in the page (app/models/trained.py): found only by the names the store
made, kept for a while and within a byte budget, never in the models folder."""

from __future__ import annotations

import os
import re
import time

import pytest

from app.models.format import ModelFileError, save_model
from app.models.registry import ModelRegistry, UnknownModelError
from app.models.trained import TrainedModels
from tests.helpers import tiny_model


def keep(store: TrainedModels, hidden: int = 4, age: float = 0.0) -> str:
    """A model written as the training route writes one, `age` seconds ago."""
    name = store.new_name("counter", "lstm")
    path = store.path_for(name)
    save_model(tiny_model(name=name, hidden=hidden), path)
    if age:
        then = time.time() - age
        os.utime(path, (then, then))
    store.kept(name)
    return name


def test_names_are_made_here_and_hard_to_guess():
    store = TrainedModels(None, 10**9, 3600)
    names = {store.new_name("long-lag", "rnn") for _ in range(100)}
    assert len(names) == 100
    assert all(re.fullmatch(r"trained-long-lag-rnn-[0-9a-f]{10}", name) for name in names)


def test_a_kept_model_is_found_by_its_exact_name_only(tmp_path):
    store = TrainedModels(tmp_path, 10**9, 3600)
    name = keep(store)
    assert store.get(name).name == name and store.path(name) == tmp_path / f"{name}.npz"
    for other in (name[:-1], name + "x", f"../{tmp_path.name}/{name}", "tiny", None, 7):
        assert store.get(other) is None and store.path(other) is None


def test_a_file_in_the_folder_not_named_by_the_store_is_not_served(tmp_path):
    store = TrainedModels(tmp_path, 10**9, 3600)
    save_model(tiny_model(name="mine"), tmp_path / "mine.npz")
    (tmp_path / "trained-evil.npz").symlink_to(tmp_path / "mine.npz")
    assert store.get("mine") is None and store.get("trained-evil") is None


def test_models_expire_after_their_time(tmp_path):
    store = TrainedModels(tmp_path, 10**9, keep_seconds=60)
    old, new = keep(store, age=120), keep(store)
    assert store.get(old) is None and store.get(new) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{new}.npz"]


def test_past_the_byte_budget_the_oldest_go_first(tmp_path):
    save_model(tiny_model(name="sample", hidden=4), tmp_path / "sample.npz")
    size = (tmp_path / "sample.npz").stat().st_size
    store = TrainedModels(tmp_path / "kept", max_bytes=int(2.5 * size), keep_seconds=3600)
    first = keep(store, age=30)
    second = keep(store, age=20)
    third = keep(store, age=10)
    assert store.get(first) is None and store.get(second) and store.get(third)


def test_a_model_larger_than_the_whole_budget_is_not_kept(tmp_path):
    store = TrainedModels(tmp_path, max_bytes=1024, keep_seconds=3600)
    name = store.new_name("counter", "lstm")
    save_model(tiny_model(name=name, hidden=32), store.path_for(name))
    with pytest.raises(ModelFileError, match="not kept"):
        store.kept(name)
    assert store.get(name) is None


def test_another_process_removing_a_model_empties_this_ones_cache(tmp_path):
    store, other = TrainedModels(tmp_path, 10**9, 3600), TrainedModels(tmp_path, 10**9, 3600)
    name = keep(store)
    assert other.get(name) is not None
    store.path(name).unlink()
    assert other.get(name) is None and other._cache == {}


def test_the_registry_finds_trained_models_by_name_and_never_lists_them(tmp_path):
    registry = ModelRegistry(None)
    registry.trained = TrainedModels(tmp_path, 10**9, 3600)
    name = keep(registry.trained)
    assert registry.get(name).name == name
    assert name not in registry.names() and name not in [s["name"] for s in registry.summaries()]
    with pytest.raises(UnknownModelError):
        registry.get("trained-counter-lstm-0123456789")


def test_a_temporary_folder_is_made_when_needed_and_removed_at_close(tmp_path):
    made = TrainedModels(None, 10**9, 3600)
    keep(made)
    folder = made.folder
    assert folder.is_dir() and folder.name.startswith("gatescope-trained-")
    made.close()
    assert not folder.exists()
    given = TrainedModels(tmp_path / "given", 10**9, 3600)
    keep(given)
    given.close()
    assert (tmp_path / "given").is_dir()  # a folder the operator named is theirs
