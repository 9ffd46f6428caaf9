"""The events service: hand an event to its listeners once the unit of work has committed.

`dispatch(event)` is the one call; each listener decided at registration how it is delivered
(see app.core.events.listener). Every durable listener of the event gets an outbox row in this
transaction, published after commit and run in a worker. The in-process listeners run after
commit: inside an HTTP request they are handed to fastapi-events, whose middleware runs them
after the response is sent; anywhere else (a WebSocket session, a task, the CLI, a test) they
are awaited directly.
"""

from abc import ABC, abstractmethod
from typing import Any, Protocol

from fastapi_events.dispatcher import dispatch as dispatch_in_request
from fastapi_events.handlers.local import LocalHandler

from app.core.db import UnitOfWork
from app.core.events.base import BaseEvent
from app.core.events.middleware import collected_for_response
from app.core.outbox import Outbox
from app.core.queue.payload import TaskPayload


class DeliverEventPayload(TaskPayload):
    """One durable listener hearing one event (app.core.events.tasks.DeliverEvent runs it)."""

    __task_name__ = "events.deliver"
    listener: str
    event: str
    data: Any


class Listeners(Protocol):
    """Who listens to an event: the registry of the installed modules (app.core.registry)."""

    @property
    def local_handler(self) -> LocalHandler:
        """fastapi-events' handler of the in-process listeners."""

    def durable_listener_names(self, event_name: str) -> list[str]:
        """The durable listeners of `event_name`, in registration order."""


async def deliver(listeners: Listeners, name: str, payload: Any) -> None:
    """Run the in-process listeners of one event now, in this process."""
    if collected_for_response():
        # fastapi-events' middleware runs them with the handler it was installed with: the
        # registry's (create_app installs both from one registry).
        dispatch_in_request(name, payload=payload)
    else:
        await listeners.local_handler.handle((name, payload))


class EventsServiceInterface(ABC):
    @abstractmethod
    def dispatch(self, event: BaseEvent) -> None:
        """Deliver `event` to its listeners once the current unit of work has committed."""


class DefaultEventsService(EventsServiceInterface):
    def __init__(self, unit_of_work: UnitOfWork, outbox: Outbox, listeners: Listeners) -> None:
        self._unit_of_work = unit_of_work
        self._outbox = outbox
        self._listeners = listeners

    def dispatch(self, event: BaseEvent) -> None:
        name, payload = event.event_name(), event.model_dump(mode="json")
        listeners = self._listeners
        for listener_name in listeners.durable_listener_names(name):
            self._outbox.add(DeliverEventPayload(listener=listener_name, event=name, data=payload))

        async def release() -> None:
            await deliver(listeners, name, payload)

        self._unit_of_work.after_commit(release)
