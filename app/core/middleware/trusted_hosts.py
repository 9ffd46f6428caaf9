"""Host header allow-list (protects against host header injection), answering problem+json.

Same matching rules as Starlette's TrustedHostMiddleware: `*` allows any host and `*.example.com`
allows subdomains. Probes and scrapers address a process by its IP (a Kubernetes probe, Docker's
HEALTHCHECK, a Prometheus target), so the exact paths in `exempt_paths` answer any Host: they
build no URL from it. Exact, not prefixes: a trailing-slash redirect (`/health/live/`) is built
from the Host header.
"""

from collections.abc import Collection, Sequence

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.api.problems import problem_response


class TrustedHostMiddleware:
    def __init__(
        self, app: ASGIApp, allowed_hosts: Sequence[str], exempt_paths: Collection[str] = ()
    ) -> None:
        self.app = app
        self.exempt_paths = frozenset(exempt_paths)
        self.allow_any = "*" in allowed_hosts
        self.exact = {host.lower() for host in allowed_hosts if not host.startswith("*")}
        self.suffixes = tuple(host[1:].lower() for host in allowed_hosts if host.startswith("*."))

    def is_allowed(self, host: str) -> bool:
        return host in self.exact or (bool(self.suffixes) and host.endswith(self.suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.allow_any or scope["type"] not in ("http", "websocket") or scope["path"] in self.exempt_paths:
            await self.app(scope, receive, send)
            return
        host = Headers(scope=scope).get("host", "").split(":")[0].lower()
        if self.is_allowed(host):
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        response = problem_response(
            400, code="invalid_host", detail="The Host header is not allowed.", instance=scope["path"]
        )
        await response(scope, receive, send)
