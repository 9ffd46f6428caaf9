"""Request count and latency by route template, as a pure ASGI middleware."""

import time
from collections.abc import Callable, Sequence

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.metrics.collectors import LATENCY, REQUESTS

UNMATCHED = "unmatched"


class MetricsMiddleware:
    def __init__(self, app: ASGIApp, routes: Callable[[], Sequence[BaseRoute]]) -> None:
        self.app = app
        self._routes = routes
        self._templates: dict[object, str] | None = None

    def _template(self, scope: Scope) -> str:
        """The full path template of the matched endpoint (included routers' prefixes too)."""
        if self._templates is None:
            self._templates = {}
            for route in iter_route_contexts(self._routes()):
                # A mount (static files) has no endpoint: its requests name its app instead. No
                # None key, or every unmatched request would count under the mount's path.
                endpoint = route.endpoint if route.endpoint is not None else getattr(route, "app", None)
                if route.path and endpoint is not None:
                    self._templates[endpoint] = route.path
        return self._templates.get(scope.get("endpoint"), UNMATCHED)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        started = time.perf_counter()

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            route, method = self._template(scope), scope["method"]
            REQUESTS.labels(method, route, str(status)).inc()
            LATENCY.labels(method, route).observe(time.perf_counter() - started)
