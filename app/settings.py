"""Every setting in one place; each can be set as a GATESCOPE_* environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent  # the checkout: templates/ and static/ live here


def check_public_url(value: str | None) -> str | None:
    """An http(s) address with a host and no query or fragment, without its final slash;
    empty is unset."""
    if not value:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.query or parts.fragment:
        raise ValueError(
            "public_url is an http(s) address such as https://lstm.example.edu or https://example.edu/lstm"
        )
    return value.rstrip("/")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATESCOPE_", frozen=True)

    host: str = "127.0.0.1"  # loopback: nothing is exposed unless asked for
    port: int = 8000
    models: Path | None = None  # a folder of the user's own .npz models, besides the bundled ones
    default_model: str = "lstm-demo"
    # The address people reach the app at (https://lstm.example.edu/gatescope): links, oEmbed
    # iframes and recordings' banners point there. Unset: the address a request came to.
    public_url: Annotated[str | None, AfterValidator(check_public_url)] = None

    templates_dir: Path = ROOT / "templates"
    static_dir: Path = ROOT / "static"

    # Limits: every input is bounded. Over one, a request gets an error that names it.
    max_tokens_per_message: int = Field(5_000, ge=1)  # one start, append or POST
    max_tokens_per_session: int = Field(20_000, ge=1)  # a whole trace
    max_message_bytes: int = Field(64 * 1024, ge=64)  # one WebSocket message: over it, an error frame;
    #   over 16x it, the connection is closed (1009) before the message is even read whole
    max_body_bytes: int = Field(64 * 1024, ge=64)  # one HTTP request body: 5000 emoji, JSON-escaped
    max_model_bytes: int = Field(64 * 1024 * 1024, ge=1024)  # one model file
    max_gradient_tokens: int = Field(2_000, ge=1)  # the gradient view costs O(T·H²) per request
    max_sessions: int = Field(1_000, ge=1)  # open WebSocket traces, all clients together
    max_sessions_per_client: int = Field(50, ge=1)  # per client address; raise it for a class behind one NAT
    idle_seconds: float = Field(600.0, gt=0)  # a WebSocket with no message for this long is closed (1001)

    # Security of the page.
    frame_ancestors: str = "'self'"  # CSP frame-ancestors: which sites may put the app in a frame
    embed_frame_ancestors: str = "*"  # the same for /embed, which course pages anywhere may frame
    ws_allowed_origins: list[str] = []  # other sites whose pages may open WS /ws/trace (the app's own always may)

    # What frames carry.
    decimals: int = Field(5, ge=1, le=8)  # values rounded to 1e-5: float32 has ~7 digits
    top_k: int = Field(5, ge=1, le=50)  # next-token guesses per step
    stream_chunk: int = Field(64, ge=1)  # steps computed between sends: first frames arrive at once
    compute_threads: int = Field(4, ge=1)  # threads tracing for all clients: under the GIL, more only add memory
    ws_compression: bool = False  # permessage-deflate: frames shrink to a third, for a fifth of the server's CPU

    @property
    def max_message_bytes_to_read(self) -> int:
        """Messages over this are refused unread, by closing the connection (1009)."""
        return 16 * self.max_message_bytes


@lru_cache
def get_settings() -> Settings:
    return Settings()
