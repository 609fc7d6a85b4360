"""What a student's browser needs from a deployed server, checked over the network: the page,
its script, a static file, plotly.js, the model list, and a trace over the stream."""

from __future__ import annotations

import json
import ssl
from urllib.parse import urljoin

import httpx2
from websockets.sync.client import connect

TEXT = "I grew up in France"


def websocket_url(page_url: str) -> str:
    """The stream's address as the page computes it: relative to the page, ws for http, wss for https."""
    url = urljoin(page_url, "ws/trace")
    return "wss" + url[len("https") :] if url.startswith("https:") else "ws" + url[len("http") :]


def trace_over_stream(page_url: str, tls: ssl.SSLContext | None = None, model: str = "lstm-demo") -> list[dict]:
    """A `start` on the stream, as the page sends it (with its Origin): the frames up to `done`."""
    origin = page_url.split("/", 3)
    with connect(websocket_url(page_url), ssl=tls, origin=f"{origin[0]}//{origin[2]}", open_timeout=30) as ws:
        ws.send(json.dumps({"type": "start", "model": model, "text": TEXT}))
        frames = []
        while not frames or frames[-1]["type"] not in ("done", "error"):
            frames.append(json.loads(ws.recv(timeout=30)))
    return frames


def check_served(page_url: str, tls: ssl.SSLContext | None = None) -> None:
    """`page_url` is the app's page (ending in /); every other address is taken relative to it."""
    with httpx2.Client(verify=tls or True, timeout=30) as http:
        page = http.get(page_url)
        assert page.status_code == 200, page.text[:300]
        assert 'data-testid="text-input"' in page.text
        script = http.get(urljoin(page_url, "app.js"))
        assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
        assert "WebSocket" in script.text
        css = http.get(urljoin(page_url, "static/css/app.css"))
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css") and len(css.text) > 1000
        plotly = http.get(urljoin(page_url, "vendor/plotly.min.js"))
        assert plotly.status_code == 200 and len(plotly.content) > 1_000_000
        models = http.get(urljoin(page_url, "api/models")).json()["models"]
        assert {"lstm-demo", "prose", "code"} <= {model["name"] for model in models}
    frames = trace_over_stream(page_url, tls)
    assert [frame["type"] for frame in frames] == ["meta"] + ["step"] * len(TEXT) + ["done"], frames[-1]
    assert [frame["token"] for frame in frames[1:-1]] == list(TEXT)
