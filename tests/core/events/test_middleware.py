"""In-process listeners of an event delivered during a request run after its response; anywhere
else (a WebSocket session included), at once (app.core.events.middleware)."""

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.types import Message
from starlette.websockets import WebSocket

from app.core.events.middleware import collected_for_response, install_events_middleware
from app.core.events.service import deliver
from app.core.modules import install_modules
from app.core.registry import Registry
from tests import example
from tests.example import listeners

CREATED = ("example.widget_created", {"id": 1, "name": "delivered"})


@pytest.fixture(autouse=True)
def _forget() -> None:
    listeners.heard.clear()


@pytest.fixture(scope="module")
def registry() -> Registry:
    return install_modules([example.__name__])


async def test_during_a_request_listeners_run_after_the_response(registry: Registry) -> None:
    heard_before_response: list[object] = []

    async def endpoint(_: Request) -> PlainTextResponse:
        await deliver(registry, *CREATED)
        heard_before_response.extend(listeners.heard)
        return PlainTextResponse("sent")

    app = Starlette(routes=[Route("/", endpoint)])
    install_events_middleware(app, registry.local_handler)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
        assert (await client.get("/")).text == "sent"
    assert heard_before_response == []
    assert listeners.heard == [CREATED]


async def test_during_a_websocket_session_listeners_run_at_once(registry: Registry) -> None:
    # Not when the socket closes, which fastapi-events would wait for: a session lasts for hours.
    heard_while_open: list[object] = []

    async def endpoint(websocket: WebSocket) -> None:
        await websocket.accept()
        await deliver(registry, *CREATED)
        heard_while_open.extend(listeners.heard)
        await websocket.close()

    app = Starlette(routes=[WebSocketRoute("/", endpoint)])
    install_events_middleware(app, registry.local_handler)
    incoming: list[Message] = [{"type": "websocket.connect"}, {"type": "websocket.disconnect", "code": 1000}]
    sent: list[Message] = []

    async def receive() -> Message:
        return incoming.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "websocket", "path": "/", "headers": [], "query_string": b"", "subprotocols": []}
    await app(scope, receive, send)
    assert [message["type"] for message in sent] == ["websocket.accept", "websocket.close"]
    assert heard_while_open == [CREATED]


async def test_outside_a_request_listeners_run_at_once(registry: Registry) -> None:
    assert not collected_for_response()
    await deliver(registry, *CREATED)
    assert listeners.heard == [CREATED]
