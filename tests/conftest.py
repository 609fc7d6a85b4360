import contextlib
import os

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.models.format import save_model
from app.settings import Settings
from tests.helpers import CELL_NAMES, tiny_model

# Starlette's TestClient asks for the host "testserver", and the app answers only the host
# names it is told (app.security.HostCheck): every Settings() the tests make allows it.
os.environ.setdefault("GATESCOPE_ALLOWED_HOSTS", "testserver")


@pytest.fixture
def models_dir(tmp_path):
    save_model(tiny_model(name="tiny"), tmp_path / "tiny.npz")
    save_model(tiny_model(layers=2, name="deep"), tmp_path / "deep.npz")
    save_model(tiny_model(word=True, name="words"), tmp_path / "words.npz")
    return tmp_path


@pytest.fixture
def settings(models_dir):
    return Settings(models=models_dir, max_tokens_per_message=300, max_tokens_per_session=500, stream_chunk=4)


@pytest.fixture
def client(settings):
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def every_cell_client(tmp_path):
    """An app whose models folder holds a 2-layer model of every cell, named after it."""
    for cell in CELL_NAMES:
        save_model(tiny_model(cell=cell, layers=2, hidden=4, name=cell), tmp_path / f"{cell}.npz")
    with TestClient(create_app(Settings(models=tmp_path, stream_chunk=4))) as client:
        yield client


@pytest.fixture
def client_with(settings):
    """A client of an app whose settings differ from `settings` in the given ones."""
    with contextlib.ExitStack() as stack:

        def make(**changes) -> TestClient:
            return stack.enter_context(TestClient(create_app(settings.model_copy(update=changes))))

        yield make
