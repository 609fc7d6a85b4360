"""Behind a reverse proxy: X-Forwarded-* believed from trusted proxies only, and a path prefix."""

import re

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from app.main import create_app
from app.proxy import TrustedProxies

FORWARDED = {"x-forwarded-proto": "https", "x-forwarded-host": "lstm.example.edu", "x-forwarded-for": "203.0.113.9"}


@pytest.fixture
def behind_proxy(settings):
    """An app behind a proxy on 127.0.0.1 serving it as https://lstm.example.edu/gatescope/."""

    def make(peer: str = "127.0.0.1", **changes) -> TestClient:
        configured = {
            "trusted_proxies": ["127.0.0.1"],
            "allowed_hosts": ["lstm.example.edu"],
            "root_path": "/gatescope",
            **changes,
        }
        app = create_app(settings.model_copy(update=configured))
        return TestClient(app, base_url="http://127.0.0.1:8000", client=(peer, 40000))

    return make


def page_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_a_trusted_proxy_gives_the_clients_scheme_and_host(behind_proxy):
    with behind_proxy() as client:
        page = client.get("/gatescope/", headers=FORWARDED)
    assert page.status_code == 200
    script = next(url for url in page_urls(page.text) if url.endswith("app.js"))
    assert script in ("https://lstm.example.edu/gatescope/app.js", "/gatescope/app.js", "app.js")  # never http://


def test_anyone_else_sending_the_same_headers_is_not_believed(behind_proxy):
    with behind_proxy(peer="198.51.100.20") as client:
        page = client.get("/gatescope/", headers=FORWARDED)  # its Host, 127.0.0.1:8000, is served, over http
        rebinding = client.get("/gatescope/", headers={**FORWARDED, "host": "evil.example"})
        with client.websocket_connect("/ws/trace", headers={**FORWARDED, "host": "127.0.0.1:8000"}) as ws:
            started(ws)
            assert client.app.state.sessions.open_for("198.51.100.20") == 1
    assert page.status_code == 200
    assert not any(url.startswith("https://") for url in page_urls(page.text))
    assert rebinding.status_code == 400  # X-Forwarded-Host from a stranger does not make evil.example ours


def test_the_prefix_is_served_whether_the_proxy_strips_it_or_passes_it_on(behind_proxy):
    with behind_proxy() as client:
        kept = client.get("/gatescope/api/models", headers=FORWARDED)
        stripped = client.get("/api/models", headers=FORWARDED)
        static = client.get("/gatescope/static/css/app.css", headers=FORWARDED)
        docs = client.get("/gatescope/docs", headers=FORWARDED)
    assert kept.status_code == stripped.status_code == static.status_code == 200
    assert kept.json() == stripped.json()
    assert "/gatescope/openapi.json" in docs.text


def test_the_embed_keeps_its_own_frame_policy_under_the_prefix(behind_proxy):
    with behind_proxy() as client:
        embed = client.get("/gatescope/embed", headers=FORWARDED)
        app = client.get("/gatescope/", headers=FORWARDED)
    assert "frame-ancestors *" in embed.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in app.headers["content-security-policy"]


def test_the_stream_accepts_the_forwarded_origin_and_refuses_others(behind_proxy):
    with behind_proxy() as client:
        with client.websocket_connect(
            "/gatescope/ws/trace", headers={**FORWARDED, "origin": "https://lstm.example.edu"}
        ) as ws:
            ws.send_json({"type": "start", "model": "tiny", "text": "ab"})
            assert ws.receive_json()["type"] == "meta"
        with pytest.raises(WebSocketDisconnect) as refused:
            with client.websocket_connect(
                "/gatescope/ws/trace", headers={**FORWARDED, "origin": "https://evil.example"}
            ):
                pass
    assert refused.value.code == 1008


def started(ws) -> None:
    ws.send_json({"type": "start", "model": "tiny", "text": "ab"})
    assert ws.receive_json()["type"] == "meta"  # its session holds its slot by now


def test_per_address_limits_count_the_forwarded_client(behind_proxy):
    with behind_proxy(max_sessions_per_client=1) as client:
        first = {**FORWARDED, "x-forwarded-for": "203.0.113.1"}
        second = {**FORWARDED, "x-forwarded-for": "203.0.113.2"}
        with (
            client.websocket_connect("/ws/trace", headers=first) as a,
            client.websocket_connect("/ws/trace", headers=second) as b,
        ):
            started(a)
            started(b)
            sessions = client.app.state.sessions
            assert (sessions.open_for("203.0.113.1"), sessions.open_for("203.0.113.2")) == (1, 1)
            with client.websocket_connect("/ws/trace", headers=first) as third:
                error = third.receive_json()
    assert error["limit"] == "max_sessions_per_client"
    assert "GATESCOPE_MAX_SESSIONS_PER_CLIENT" in error["message"]


def test_the_client_is_the_first_address_from_the_right_that_is_not_a_trusted_proxy():
    proxies = TrustedProxies(["10.0.0.0/8", "127.0.0.1"])
    # The client wrote "1.2.3.4" itself; our load balancer (10.0.0.5) saw it come from 203.0.113.9.
    assert proxies.client_of(["1.2.3.4", "203.0.113.9", "10.0.0.5"]) == "203.0.113.9"
    assert proxies.client_of(["10.0.0.7", "127.0.0.1"]) == "10.0.0.7"  # only proxies: the first of them
    assert proxies.client_of([]) is None
    assert "10.1.2.3" in proxies and "127.0.0.2" not in proxies and "not-an-address" not in proxies
    assert "192.0.2.1" in TrustedProxies(["*"]) and not TrustedProxies([])


def test_settings_take_lists_as_commas_or_json_and_refuse_a_bad_network_or_prefix(monkeypatch):
    from pydantic import ValidationError

    from app.settings import Settings

    monkeypatch.setenv("GATESCOPE_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8")
    monkeypatch.setenv("GATESCOPE_ALLOWED_HOSTS", '["LSTM.example.edu."]')
    monkeypatch.setenv("GATESCOPE_ROOT_PATH", "/gatescope/")
    settings = Settings()
    assert settings.trusted_proxies == ["127.0.0.1", "10.0.0.0/8"]
    assert settings.allowed_hosts == ["lstm.example.edu"]
    assert settings.root_path == "/gatescope"
    with pytest.raises(ValidationError, match="10.0.0.300"):
        Settings(trusted_proxies="10.0.0.300")
    with pytest.raises(ValidationError, match="path prefix"):
        Settings(root_path="/a b")
