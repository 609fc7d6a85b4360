"""What route handlers need from the app: its settings and its model registry."""

from starlette.requests import HTTPConnection

from app.models.registry import ModelRegistry
from app.settings import Settings


def get_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


def get_registry(connection: HTTPConnection) -> ModelRegistry:
    return connection.app.state.registry
