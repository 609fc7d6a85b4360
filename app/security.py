"""Security headers on every HTTP response.

The app's pages load only same-origin module scripts, one same-origin stylesheet and
plotly.js from /vendor, and talk only to their own server; the policy says exactly
that, so injected markup could neither run a script nor send data anywhere.
plotly.js adds <style> elements for its own chart styles, which style-src 'self'
alone would block: styles (never scripts) also allow 'unsafe-inline'. The heatmap is
drawn as a data: image.

The one exception is FastAPI's /docs page (Swagger UI): it loads its code from a CDN
and starts it with an inline script, and shows only the API's own schema, never user
input. CORS is closed: no Access-Control-* header is ever sent.
"""

from __future__ import annotations

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
        path = scope["path"]
        extra = self.docs_headers if path in DOCS_PATHS else self.embed_headers if path in EMBED_PATHS else self.headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
