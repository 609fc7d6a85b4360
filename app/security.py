"""Security headers on every HTTP response, and the Host check that stops DNS rebinding.

The app's pages load only same-origin module scripts, one same-origin stylesheet and
plotly.js from /vendor, and talk only to their own server; the policy says exactly
that, so injected markup could neither run a script nor send data anywhere.
plotly.js adds <style> elements for its own chart styles, which style-src 'self'
alone would block: styles (never scripts) also allow 'unsafe-inline'. The heatmap is
drawn as a data: image.

The one exception is FastAPI's /docs page (Swagger UI): it loads its code from a CDN
and starts it with an inline script, and shows only the API's own schema, never user
input. CORS is closed: no Access-Control-* header is ever sent.

DNS rebinding: a page on evil.example whose name the attacker then points at 127.0.0.1
talks to this server as its own origin, with `Host: evil.example`. So only names the
server is known by are answered (`HostCheck`).
"""

from __future__ import annotations

import ipaddress
import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect"})
EMBED_PATHS = frozenset({"/embed"})  # made to be framed by course pages on other sites
SWAGGER_CDN = "https://cdn.jsdelivr.net"


def content_security_policy(frame_ancestors: str, docs: bool = False) -> str:
    scripts = f"'self' 'unsafe-inline' {SWAGGER_CDN}" if docs else "'self'"
    styles = f"'self' 'unsafe-inline' {SWAGGER_CDN}" if docs else "'self' 'unsafe-inline'"
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            f"style-src {styles}",
            "img-src 'self' data:" + (" https://fastapi.tiangolo.com" if docs else ""),
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        ]
    )


def security_headers(frame_ancestors: str, docs: bool = False) -> dict[str, str]:
    return {
        "Content-Security-Policy": content_security_policy(frame_ancestors, docs),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cross-Origin-Opener-Policy": "same-origin",
    }


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(name.lower().encode(), value.encode()) for name, value in headers.items()]


class SecurityHeaders:
    """Add `security_headers` to every HTTP response, errors included."""

    def __init__(self, app: ASGIApp, frame_ancestors: str, embed_frame_ancestors: str = "*"):
        self.app = app
        self.headers = _raw(security_headers(frame_ancestors))
        self.docs_headers = _raw(security_headers(frame_ancestors, docs=True))
        self.embed_headers = _raw(security_headers(embed_frame_ancestors))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope["path"][len(scope.get("root_path", "")) :]  # the app's own path, under any prefix
        extra = self.docs_headers if path in DOCS_PATHS else self.embed_headers if path in EMBED_PATHS else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def host_name(host_header: str) -> str:
    """The name in a Host header, lowercase, without its port or a final dot."""
    name = host_header.strip().lower()
    if name.startswith("["):  # [::1]:8000
        return name[1 : name.find("]")] if "]" in name else ""
    return name.rsplit(":", 1)[0].rstrip(".") if name.count(":") <= 1 else name


def host_allowed(name: str, allowed: list[str]) -> bool:
    """Loopback names and IP addresses always (an address cannot be rebound: a page whose
    origin is an address came from it); other names only when `allowed` holds them, or a
    parent domain written ".example.edu", or "*"."""
    if not name:
        return False
    if name == "localhost" or name.endswith(".localhost") or "*" in allowed:  # *.localhost never leaves the machine
        return True
    try:
        ipaddress.ip_address(name)
        return True
    except ValueError:
        pass
    return name in allowed or any(entry.startswith(".") and f".{name}".endswith(entry) for entry in allowed)


FORWARDING = (b"host", b"x-forwarded-host")


class HostCheck:
    """Refuse HTTP requests (400) and WebSocket handshakes (403) for a Host that is not ours."""

    def __init__(self, app: ASGIApp, allowed_hosts: list[str]):
        self.app = app
        self.allowed = allowed_hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        headers = {key: value.decode("latin-1") for key, value in scope["headers"] if key in FORWARDING}
        host = headers.get(b"host", "")
        if host_allowed(host_name(host), self.allowed):
            return await self.app(scope, receive, send)
        message = (
            f"this server does not answer for the host name {host_name(host)[:100]!r}; "
            "its operator can add it to GATESCOPE_ALLOWED_HOSTS"
        )
        if headers.get(b"x-forwarded-host", host) != host:  # a proxy spoke, and was not believed
            message += ", and name the proxy in front in GATESCOPE_TRUSTED_PROXIES"
        if scope["type"] == "websocket":
            await receive()  # websocket.connect
            return await send({"type": "websocket.close", "code": 1008, "reason": "host not allowed"})
        detail = {"code": "host_not_allowed", "message": message, "limit": "allowed_hosts"}
        body = json.dumps({"detail": detail}).encode()
        response_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": 400, "headers": response_headers})
        await send({"type": "http.response.body", "body": body})
