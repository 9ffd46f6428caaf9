"""`@listener(Event)`: register a reaction to an event, isolated from every other listener.

    @listener(UserCreated)
    async def send_welcome(event: ListenedEvent) -> None: ...

Listeners live in each module's `listeners.py`, imported by the composition roots from
app.modules. A failing listener is logged with its traceback and never affects the request or
the other listeners.
"""

import functools
from collections.abc import Awaitable, Callable

from fastapi_events.handlers.local import LocalHandler
from fastapi_events.typing import Event

from app.core.events.base import BaseEvent, ListenedEvent
from app.core.log import logger

Listener = Callable[[ListenedEvent], Awaitable[None]]

# Our own handler instance (not fastapi-events' global one), so only @listener functions run.
local_handler = LocalHandler()  # type: ignore[no-untyped-call]


def listener(event_class: type[BaseEvent]) -> Callable[[Listener], Listener]:
    name = event_class.event_name()

    def register(function: Listener) -> Listener:
        @functools.wraps(function)
        async def isolated(event: Event) -> None:
            event_name, payload = event
            try:
                await function(ListenedEvent(name=str(event_name), data=payload))
            except Exception:
                logger.exception(
                    "listener failed", listener=function.__qualname__, event_name=str(event_name)
                )

        local_handler.register(isolated, event_name=name)  # type: ignore[no-untyped-call]
        return function

    return register
