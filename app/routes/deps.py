"""What route handlers need from the app: its settings, its model registry, the threads
that compute traces (off the event loop, a bounded number of them), and gradient flow's own."""

from anyio import CapacityLimiter
from starlette.requests import HTTPConnection

from app.limits import WorkPool
from app.models.registry import ModelRegistry
from app.settings import Settings


def get_settings(connection: HTTPConnection) -> Settings:
    return connection.app.state.settings


def get_registry(connection: HTTPConnection) -> ModelRegistry:
    return connection.app.state.registry


def get_compute(connection: HTTPConnection) -> CapacityLimiter:
    return connection.app.state.compute


def get_gradient_pool(connection: HTTPConnection) -> WorkPool:
    return connection.app.state.gradients


def public_url(connection: HTTPConnection) -> str:
    """The address people reach the app at, for links that leave the request: the
    GATESCOPE_PUBLIC_URL setting, else the address this request came to (its scheme, host
    and any path prefix; a Host the server does not answer for never gets this far)."""
    return connection.app.state.settings.public_url or str(connection.base_url).rstrip("/")
