"""The events service: hand an event to its listeners once the unit of work has committed.

`dispatch(event)` is the one call; each listener decided at registration how it is delivered
(see app.core.events.registry). Every durable listener of the event gets an outbox row in this
transaction, published after commit and run in a worker. The in-process listeners run after
commit: inside an HTTP request they are handed to fastapi-events, whose middleware runs them
after the response is sent; anywhere else (a WebSocket session, a task, the CLI, a test) they
are awaited directly.
"""

from abc import ABC, abstractmethod
from typing import Any

from fastapi_events.dispatcher import dispatch as dispatch_in_request

from app.core.db import UnitOfWork
from app.core.events.base import BaseEvent
from app.core.events.middleware import collected_for_response
from app.core.events.registry import durable_listeners, local_handler
from app.core.outbox import Outbox
from app.core.queue.payload import TaskPayload


class DeliverEventPayload(TaskPayload):
    """One durable listener hearing one event (app.core.events.tasks.DeliverEvent runs it)."""

    __task_name__ = "events.deliver"
    listener: str
    event: str
    data: Any


async def deliver(name: str, payload: Any) -> None:
    """Run the in-process listeners of one event now, in this process."""
    if collected_for_response():
        dispatch_in_request(name, payload=payload)
    else:
        await local_handler.handle((name, payload))


class EventsServiceInterface(ABC):
    @abstractmethod
    def dispatch(self, event: BaseEvent) -> None:
        """Deliver `event` to its listeners once the current unit of work has committed."""


class DefaultEventsService(EventsServiceInterface):
    def __init__(self, unit_of_work: UnitOfWork, outbox: Outbox) -> None:
        self._unit_of_work = unit_of_work
        self._outbox = outbox

    def dispatch(self, event: BaseEvent) -> None:
        name, payload = event.event_name(), event.model_dump(mode="json")
        for durable in durable_listeners(name):
            self._outbox.add(DeliverEventPayload(listener=durable.name, event=name, data=payload))

        async def release() -> None:
            await deliver(name, payload)

        self._unit_of_work.after_commit(release)
