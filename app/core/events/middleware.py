"""fastapi-events' middleware, and a marker for the requests it collects events of.

Inside its middleware, fastapi-events' `dispatch()` queues an event and runs the listeners after
the response is sent; anywhere else it can only start a fire-and-forget task. The events service
needs to know which case it is in, and fastapi-events offers no public way to ask, so a marker
of our own sits just inside its middleware: set while fastapi-events collects for an HTTP request,
unset while it runs the listeners (a listener that dispatches runs the next ones directly).

Not for a WebSocket session: fastapi-events would hold its events until the socket closes, hours
later. Those are delivered when their unit of work commits, as in a task.
"""

from contextvars import ContextVar

from fastapi_events.handlers.local import LocalHandler
from fastapi_events.middleware import EventHandlerASGIMiddleware
from starlette.applications import Starlette
from starlette.types import ASGIApp, Receive, Scope, Send

_collecting: ContextVar[bool] = ContextVar("events_collected_for_response", default=False)


def collected_for_response() -> bool:
    """Whether an event delivered now waits for fastapi-events to run its listeners after the
    response is sent."""
    return _collecting.get()


class _CollectingMarker:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        token = _collecting.set(True)
        try:
            await self.app(scope, receive, send)
        finally:
            _collecting.reset(token)


def install_events_middleware(app: Starlette, handler: LocalHandler) -> None:
    """`handler`: the in-process listeners of the app's registry (`registry.local_handler`)."""
    # The marker is added first, so it runs inside fastapi-events' middleware.
    app.add_middleware(_CollectingMarker)
    app.add_middleware(EventHandlerASGIMiddleware, handlers=[handler])
