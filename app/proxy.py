"""What a reverse proxy in front tells the app, believed only from proxies a setting trusts.

A proxy (nginx, a load balancer) connects from its own address and says who the client
is in X-Forwarded-For, which scheme the client used in X-Forwarded-Proto and which host
name it asked for in X-Forwarded-Host. Anyone can send those headers, so they are read
only on connections from `trusted_proxies`; the scope is then rewritten as if the client
had connected directly: `client` (per-address limits), `scheme` (http/https, ws/wss) and
the Host header (the host and origin checks).

`RootPath` serves the app under a prefix (`root_path`, e.g. /gatescope), whether the
proxy passes the prefix on or strips it.
"""

from __future__ import annotations

import ipaddress

from starlette.types import ASGIApp, Receive, Scope, Send

SCHEMES = {  # X-Forwarded-Proto -> the scope's scheme, by connection type
    "http": {"http": "http", "https": "https", "ws": "http", "wss": "https"},
    "websocket": {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"},
}


class TrustedProxies:
    """Addresses and networks (`10.0.0.0/8`), or `*` for any peer."""

    def __init__(self, entries: list[str]):
        self.any = "*" in entries
        self.networks = [ipaddress.ip_network(entry, strict=False) for entry in entries if entry != "*"]

    def __bool__(self) -> bool:
        return self.any or bool(self.networks)

    def __contains__(self, address: str) -> bool:
        if self.any:
            return True
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.networks)

    def client_of(self, forwarded_for: list[str]) -> str | None:
        """The client in an X-Forwarded-For chain: each proxy appends the address it was
        reached from, so walk from the right past our own proxies; the first address that
        is not one of them is the client (anything further left, it could have written)."""
        for address in reversed(forwarded_for):
            if address not in self:
                return address
        return forwarded_for[0] if forwarded_for else None


def header_values(scope: Scope, name: bytes) -> list[str]:
    """Every comma-separated value of a header, over all its lines, in order."""
    values = []
    for key, value in scope["headers"]:
        if key == name:
            values += [part.strip() for part in value.decode("latin-1").split(",") if part.strip()]
    return values


class ProxyHeaders:
    def __init__(self, app: ASGIApp, trusted_proxies: list[str]):
        self.app = app
        self.trusted = TrustedProxies(trusted_proxies)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] in SCHEMES and self.trusted and peer and peer[0] in self.trusted:
            scope = self.forwarded(scope)
        await self.app(scope, receive, send)

    def forwarded(self, scope: Scope) -> Scope:
        scope = dict(scope)
        client = self.trusted.client_of(header_values(scope, b"x-forwarded-for"))
        if client:
            scope["client"] = (client, 0)
        proto = header_values(scope, b"x-forwarded-proto")  # the nearest proxy's word is the last one
        if proto and proto[-1].lower() in SCHEMES[scope["type"]]:
            scope["scheme"] = SCHEMES[scope["type"]][proto[-1].lower()]
        host = header_values(scope, b"x-forwarded-host")
        if host:
            others = [(key, value) for key, value in scope["headers"] if key != b"host"]
            scope["headers"] = [(b"host", host[-1].encode("latin-1")), *others]
        return scope


class RootPath:
    """Serve under `root_path`. ASGI's `path` includes the root path: a proxy that strips
    the prefix gets it put back, one that passes it on is taken as it is."""

    def __init__(self, app: ASGIApp, root_path: str):
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in SCHEMES and self.root_path:
            root, path = self.root_path, scope["path"]
            scope = {**scope, "root_path": root}
            if path != root and not path.startswith(root + "/"):
                scope["path"] = root + path
                if scope.get("raw_path") is not None:
                    scope["raw_path"] = root.encode() + scope["raw_path"]
        await self.app(scope, receive, send)
