import os
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models.format import save_model
from app.models.registry import LISTING_SECONDS, ModelRegistry, UnknownModelError
from app.settings import Settings
from tests.helpers import bundled_names, tiny_model


def test_the_bundled_default_model_is_listed_and_labelled_untrained():
    registry = ModelRegistry()
    summaries = {s["name"]: s for s in registry.summaries()}
    demo = summaries["lstm-demo"]
    assert demo["cell"] == "lstm" and demo["bundled"] is True
    assert demo["trained"] is False and "Untrained" in demo["description"]
    assert registry.get("lstm-demo").has_decoder


def test_user_models_are_listed_beside_the_bundled_ones(tmp_path):
    save_model(tiny_model(), tmp_path / "mine.npz")
    registry = ModelRegistry(tmp_path)
    assert registry.names() == [*bundled_names(), "mine"]
    assert registry.get("mine").hidden_size == 5


def test_a_user_file_cannot_replace_a_bundled_model_and_is_reached_as_user_slash_name(tmp_path, caplog):
    save_model(tiny_model(hidden=3), tmp_path / "lstm-demo.npz")
    registry = ModelRegistry(tmp_path)
    assert registry.get("lstm-demo").hidden_size == 16
    mine = registry.get("user/lstm-demo")
    assert (mine.hidden_size, mine.name) == (3, "user/lstm-demo")
    summaries = {s["name"]: s for s in registry.summaries()}
    assert summaries["user/lstm-demo"]["bundled"] is False and summaries["lstm-demo"]["bundled"] is True
    for _ in range(50):
        registry.get("lstm-demo")
        registry.summaries()
    said = [r.getMessage() for r in caplog.records if "named like a bundled model" in r.getMessage()]
    assert len(said) == 1 and said[0].endswith("it is listed as user/lstm-demo")


@pytest.mark.parametrize("name", ["my model", "_under", "模型", "a.b c", "-dash", "x" * 64])
def test_files_of_any_name_are_listed_and_usable(tmp_path, name):
    save_model(tiny_model(hidden=4), tmp_path / f"{name}.npz")
    registry = ModelRegistry(tmp_path)
    assert name in registry.names()
    assert registry.get(name).hidden_size == 4 and registry.get(f"user/{name}").hidden_size == 4


def test_a_name_too_long_to_ask_for_is_listed_with_why(tmp_path):
    save_model(tiny_model(), tmp_path / f"{'x' * 65}.npz")
    (listed,) = [s for s in ModelRegistry(tmp_path).summaries() if not s["bundled"]]
    assert listed["name"] == "x" * 65 and "65 characters long, over 64: rename it" in listed["error"]


@pytest.mark.parametrize(
    "name",
    [
        "../lstm-demo",
        "/etc/passwd",
        "lstm-demo.npz",
        "..",
        "",
        "a/b",
        "user/../mine",
        "user/mine.npz",
        "user/",
        3,
        None,
    ],
)
def test_names_that_are_not_listed_are_unknown_never_paths(tmp_path, name):
    save_model(tiny_model(), tmp_path / "mine.npz")
    with pytest.raises(UnknownModelError):
        ModelRegistry(tmp_path).get(name)


def test_a_symlink_out_of_the_folder_is_not_a_model(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    save_model(tiny_model(), outside / "secret.npz")
    folder = tmp_path / "models"
    folder.mkdir()
    os.symlink(outside / "secret.npz", folder / "secret.npz")
    assert "secret" not in ModelRegistry(folder).names()


def test_a_broken_file_is_listed_with_its_error_and_the_rest_still_work(tmp_path):
    (tmp_path / "broken.npz").write_bytes(b"garbage")
    registry = ModelRegistry(tmp_path)
    broken = next(s for s in registry.summaries() if s["name"] == "broken")
    assert "not a readable .npz" in broken["error"]
    assert registry.get("lstm-demo")


def test_a_changed_file_is_reloaded(tmp_path):
    save_model(tiny_model(hidden=3), tmp_path / "m.npz")
    registry = ModelRegistry(tmp_path)
    assert registry.get("m").hidden_size == 3
    save_model(tiny_model(hidden=4), tmp_path / "m.npz")
    os.utime(tmp_path / "m.npz", ns=(1, 10**18))
    assert registry.get("m").hidden_size == 4


def test_a_models_folder_that_cannot_be_read_leaves_the_bundled_models_and_says_so_once(tmp_path, monkeypatch, caplog):
    """The server's user may not open the folder (a 0700 folder of another user; root
    ignores permissions, so the refusal is made here): the app still serves its own models."""
    locked = tmp_path / "locked"
    locked.mkdir()
    save_model(tiny_model(), locked / "mine.npz")
    iterdir = Path.iterdir

    def refuse(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return iterdir(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    registry = ModelRegistry(locked)
    assert registry.names() == bundled_names()
    with pytest.raises(UnknownModelError):
        registry.get("mine")
    with TestClient(create_app(Settings(models=locked))) as client:
        assert client.get("/").status_code == 200
        listed = [model["name"] for model in client.get("/api/models").json()["models"]]
        assert listed == bundled_names()
        assert client.post("/api/trace", json={"text": "hi"}).status_code == 200
    said = [r.getMessage() for r in caplog.records if "cannot be read" in r.getMessage()]
    assert said and all(message == said[0] for message in said) and "Permission denied" in said[0]


def test_a_folder_is_listed_again_only_when_it_changes_or_its_listing_is_old(tmp_path, monkeypatch):
    """Each trace's start asks for its model by name: the folder is not listed again for
    each of a class's starts, yet a file added, removed or renamed is seen at once."""
    registry = ModelRegistry(tmp_path)
    listed = []
    list_folder = registry._list
    monkeypatch.setattr(
        registry, "_list", lambda folder, bundled: listed.append(folder) or list_folder(folder, bundled)
    )
    save_model(tiny_model(name="first"), tmp_path / "first.npz")
    for _ in range(5):
        registry.get("first")
    assert listed == [registry.bundled_dir, tmp_path]  # each folder once, for five lookups

    save_model(tiny_model(name="second"), tmp_path / "second.npz")  # a new file: seen at the next lookup
    assert registry.get("second").name == "second"
    (tmp_path / "first.npz").rename(tmp_path / "third.npz")
    assert "first" not in registry.names() and "third" in registry.names()
    assert listed.count(registry.bundled_dir) == 1

    now = time.monotonic()
    monkeypatch.setattr(time, "monotonic", lambda: now + LISTING_SECONDS)  # an old listing: listed again
    registry.names()
    assert listed.count(registry.bundled_dir) == 2
