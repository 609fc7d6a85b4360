"""Every setting in one place; each can be set as a GATESCOPE_* environment variable."""

from __future__ import annotations

import ipaddress
import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """templates/ or static/: inside the package in an installed wheel (the build puts them
    there), beside it in a checkout (where they live in the repository)."""
    inside = PACKAGE / name
    return inside if inside.is_dir() else PACKAGE.parent / name


# A list setting from the environment: "a.example, b.example" or a JSON list.
NameList = Annotated[list[str], NoDecode]


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

    workers: int = Field(1, ge=1, le=64)  # server processes (`serve --workers`); a session lives in one of them

    templates_dir: Path = resource_dir("templates")
    static_dir: Path = resource_dir("static")

    # Behind a reverse proxy (docs/deploy.md).
    root_path: str = ""  # the path prefix the proxy serves the app under, e.g. "/gatescope"
    trusted_proxies: NameList = []  # addresses or networks whose X-Forwarded-For/-Proto/-Host are believed; "*": any
    allowed_hosts: NameList = []  # Host names served besides loopback ones and IP addresses; ".example.edu": subdomains

    # Limits: every input is bounded. Over one, a request gets an error that names it.
    max_tokens_per_message: int = Field(5_000, ge=1)  # one start, append or POST
    max_tokens_per_session: int = Field(20_000, ge=1)  # a whole trace
    max_message_bytes: int = Field(64 * 1024, ge=64)  # one WebSocket message: over it, an error frame;
    #   over 16x it, the connection is closed (1009) before the message is even read whole
    max_body_bytes: int = Field(64 * 1024, ge=64)  # one HTTP request body: 5000 emoji, JSON-escaped
    max_model_bytes: int = Field(64 * 1024 * 1024, ge=1024)  # one model file
    # Gradient flow costs T·(S³ + H·S·X) multiply-adds (S: the state's size, 2H for an LSTM): a text
    # over this budget is refused at once, with how many tokens would fit; ~2 s on one core here
    max_gradient_work: int = Field(20_000_000_000, ge=1)
    gradient_threads: int = Field(1, ge=1)  # its own threads, apart from the traces': a trace never waits for it
    max_gradient_waiting: int = Field(8, ge=0)  # requests waiting for those threads; past them: 503 busy
    max_sessions: int = Field(2_000, ge=1)  # open WebSocket traces, all clients together (per process)
    max_sessions_per_client: int = Field(1_000, ge=1)  # per address: a class of 500 behind one NAT, Compare open
    new_sessions_per_client_per_second: float = Field(20.0, gt=0)  # per address, once its burst is spent
    new_sessions_burst_per_client: int = Field(500, ge=1)  # a whole class opening the link at the same moment
    idle_seconds: float = Field(600.0, gt=0)  # a WebSocket with no message for this long is closed (1001)
    # Deadlines of `gatescope serve` (app/server.py): what uvicorn offers, and what it lacks.
    request_seconds: float = Field(10.0, gt=0)  # an HTTP request must arrive whole within this (else 408, closed)
    send_seconds: float = Field(30.0, gt=0)  # a client that reads nothing the server sends for this long is dropped
    keep_alive_seconds: int = Field(5, ge=1)  # an idle keep-alive connection is closed after this (uvicorn's)
    ws_ping_seconds: float = Field(20.0, gt=0)  # WebSocket pings this often; no pong within as long: closed

    # Training in the page (WS /ws/train): worker processes, a queue, and budgets of time and bytes.
    train_workers: int = Field(2, ge=0)  # processes training at once, every session together (0: no training)
    max_train_waiting: int = Field(64, ge=0)  # jobs waiting for a process; past them a start is refused (busy)
    train_jobs_per_session: int = Field(2, ge=1)  # running or waiting, per connection: an RNN and an LSTM side by side
    train_seconds_per_job: float = Field(
        120.0, gt=0
    )  # of training, pauses not counted; then it stops, keeping its model
    train_seconds_per_session: float = Field(600.0, gt=0)  # of training, all of a connection's jobs together
    train_pause_seconds: float = Field(120.0, ge=0)  # a job paused longer stops (it holds a process while paused)
    max_train_steps: int = Field(10_000, ge=1)  # Adam steps (batches) in one job
    max_train_hidden: int = Field(256, ge=1)  # units per layer
    max_train_text_chars: int = Field(50_000, ge=1)  # the student's own text (a message holds 64 KiB anyway)
    max_train_example_chars: int = Field(300, ge=1)  # the sentence each snapshot traces
    max_train_job_bytes: int = Field(256 * 1024 * 1024, ge=1024 * 1024)  # a job's arrays, estimated before it is
    #   queued; also each process's address space beyond its start, so a job past it fails alone
    train_niceness: int = Field(10, ge=0, le=19)  # training processes yield the CPU to live traces
    train_snapshot_every: int = Field(250, ge=1)  # steps between snapshots (the example traced with the weights then)
    train_evaluate_every: int = Field(100, ge=1)  # steps between held-out evaluations (and checkpoints kept)
    trained_dir: Path | None = None  # where trained models are kept for their sessions; None: a temporary folder
    max_trained_bytes: int = Field(256 * 1024 * 1024, ge=1024)  # all kept trained models; the oldest go first
    trained_model_seconds: float = Field(4 * 3600.0, gt=0)  # how long a trained model is kept after training
    save_trained: bool = False  # also write each trained model into the models folder, listed for everyone

    # Security of the page.
    frame_ancestors: str = "'self'"  # CSP frame-ancestors: which sites may put the app in a frame
    embed_frame_ancestors: str = "*"  # the same for /embed, which course pages anywhere may frame
    ws_allowed_origins: NameList = []  # other sites whose pages may open WS /ws/trace (the app's own always may)

    # What frames carry.
    decimals: int = Field(5, ge=1, le=8)  # values rounded to 1e-5: float32 has ~7 digits
    top_k: int = Field(5, ge=1, le=50)  # next-token guesses per step
    stream_chunk: int = Field(64, ge=1)  # steps computed between sends: first frames arrive at once
    compute_threads: int = Field(4, ge=1)  # threads tracing for all clients: under the GIL, more only add memory
    ws_compression: bool = False  # permessage-deflate: frames shrink to a third, for a fifth of the server's CPU

    @field_validator("trusted_proxies", "allowed_hosts", "ws_allowed_origins", mode="before")
    @classmethod
    def split_names(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            return (
                json.loads(text) if text.startswith("[") else [name.strip() for name in text.split(",") if name.strip()]
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def check_networks(cls, value: list[str]) -> list[str]:
        for proxy in value:
            if proxy != "*":
                ipaddress.ip_network(proxy, strict=False)  # ValueError names the bad one
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def lowercase_hosts(cls, value: list[str]) -> list[str]:
        return [host.lower().rstrip(".") for host in value]

    @field_validator("root_path")
    @classmethod
    def check_root_path(cls, value: str) -> str:
        value = value.rstrip("/")
        if value and not re.fullmatch(r"(/[A-Za-z0-9._~-]+)+", value):
            raise ValueError("root_path is a path prefix such as /gatescope or /courses/lstm")
        return value

    @property
    def max_message_bytes_to_read(self) -> int:
        """Messages over this are refused unread, by closing the connection (1009)."""
        return 16 * self.max_message_bytes


@lru_cache
def get_settings() -> Settings:
    return Settings()
