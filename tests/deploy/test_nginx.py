"""Two server processes behind nginx terminating TLS under /gatescope/, as docs/deploy.md
configures it: pages over https, the stream over wss, the students shared between them."""

from __future__ import annotations

import contextlib
import json
import re

import httpx2
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.deploy.nginx import BEHIND_PROXY, nginx_in_front, require_nginx
from tests.deploy.served import TEXT, check_served, trace_over_stream, websocket_url
from tests.live_server import live_server

pytestmark = pytest.mark.usefixtures("nginx_available")


@pytest.fixture
def nginx_available():
    require_nginx()


@pytest.fixture
def two_behind_nginx(tmp_path):
    with contextlib.ExitStack() as stack:
        backends = [stack.enter_context(live_server(BEHIND_PROXY)) for _ in range(2)]
        proxy = stack.enter_context(nginx_in_front(backends, tmp_path))
        yield backends, proxy


def accepted_streams(backend) -> int:
    return len(re.findall(r'"WebSocket \S*/ws/trace" \[accepted\]', backend.output()))


def test_the_page_and_the_stream_come_through_nginx_with_tls_under_the_prefix(two_behind_nginx):
    backends, proxy = two_behind_nginx
    check_served(proxy.page_url, proxy.tls())
    page = httpx2.get(proxy.page_url, verify=proxy.tls()).text
    assert "http://" not in " ".join(re.findall(r'(?:src|href)="([^"]+)"', page))  # no mixed content


def test_any_process_serves_any_student_and_one_going_away_leaves_the_others(two_behind_nginx):
    backends, proxy = two_behind_nginx
    for _ in range(4):  # round robin: two students each
        frames = trace_over_stream(proxy.page_url, proxy.tls())
        assert frames[-1] == {"type": "done", "steps": len(TEXT), "total": len(TEXT)}
    assert [accepted_streams(backend) for backend in backends] == [2, 2]

    backends[0].process.terminate()  # one process (or machine) stops: nginx sends everyone to the other
    backends[0].process.wait(10)
    for _ in range(3):
        assert trace_over_stream(proxy.page_url, proxy.tls())[-1]["type"] == "done"
    assert accepted_streams(backends[1]) == 5


def test_the_stream_behind_nginx_still_refuses_other_origins_and_host_names(two_behind_nginx):
    backends, proxy = two_behind_nginx
    with pytest.raises(InvalidStatus) as refused:
        with connect(websocket_url(proxy.page_url), ssl=proxy.tls(), origin="https://evil.example"):
            pass
    assert refused.value.response.status_code == 403
    # A rebinding name reaching nginx is forwarded as the Host the student asked for, and refused.
    rebinding = httpx2.get(proxy.page_url, verify=proxy.tls(), headers={"host": f"evil.example:{proxy.port}"})
    assert rebinding.status_code == 400 and "GATESCOPE_ALLOWED_HOSTS" in rebinding.text


def test_a_websocket_left_open_is_not_cut_by_nginx_before_the_apps_own_idle_close(two_behind_nginx):
    """nginx's read timeout (660 s) is past the app's idle close (600 s): the app decides."""
    backends, proxy = two_behind_nginx
    config = (proxy.folder / "nginx.conf").read_text()
    assert int(re.search(r"proxy_read_timeout (\d+)s;", config)[1]) > 600
    with connect(websocket_url(proxy.page_url), ssl=proxy.tls(), origin=f"https://localhost:{proxy.port}") as ws:
        ws.send(json.dumps({"type": "start", "model": "lstm-demo", "text": "a"}))
        assert json.loads(ws.recv(timeout=30))["type"] == "meta"
