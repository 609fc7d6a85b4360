"""The app as a reverse proxy serves it under a path prefix (nginx's
`location /gatescope/ { proxy_pass http://127.0.0.1:8000/; }`): requests reach the app
with the prefix stripped, so the page must address everything beside itself.

    python -m tests.e2e.prefixed --host 127.0.0.1 --port PORT
"""

from __future__ import annotations

import argparse

import uvicorn
from starlette.types import ASGIApp, Receive, Scope, Send

from app.main import create_app
from app.settings import Settings

PREFIX = "/gatescope"


def behind_prefix(app: ASGIApp, prefix: str = PREFIX) -> ASGIApp:
    async def stripped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await app(scope, receive, send)  # lifespan
        path = scope["path"]
        if not path.startswith(prefix + "/"):  # what the proxy would not pass on
            if scope["type"] == "websocket":
                return await send({"type": "websocket.close", "code": 1008})
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            return await send({"type": "http.response.body", "body": b"not under the prefix"})
        raw = scope.get("raw_path") or path.encode()
        scope = {**scope, "path": path[len(prefix) :], "raw_path": raw[len(prefix) :]}
        await app(scope, receive, send)

    return stripped


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(behind_prefix(create_app(Settings())), host=args.host, port=args.port, log_level="warning")
