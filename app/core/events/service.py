"""EventsService: dispatch events to listeners, after the unit of work commits.

Inside a request the events are handed to fastapi-events, whose middleware runs the listeners
after the response is sent. Anywhere else (a task, the CLI, a test) the listeners are awaited
directly. `durable=True` goes through the outbox instead: the listeners then run in a worker and
survive a crash between commit and delivery.
"""

from abc import ABC, abstractmethod
from typing import Any

from fastapi_events import in_req_res_cycle
from fastapi_events.dispatcher import dispatch as dispatch_in_request

from app.core.db import UnitOfWork
from app.core.events.base import BaseEvent
from app.core.events.registry import local_handler
from app.core.outbox import Outbox


async def deliver(name: str, payload: Any) -> None:
    """Run the listeners of one event now, in this process."""
    if in_req_res_cycle.get():
        dispatch_in_request(name, payload=payload)
    else:
        await local_handler.handle((name, payload))


class EventsServiceInterface(ABC):
    @abstractmethod
    def dispatch(self, event: BaseEvent, *, durable: bool = False) -> None:
        """Deliver `event` to its listeners once the current unit of work has committed."""


class EventsService(EventsServiceInterface):
    def __init__(self, unit_of_work: UnitOfWork, outbox: Outbox) -> None:
        self._unit_of_work = unit_of_work
        self._outbox = outbox

    def dispatch(self, event: BaseEvent, *, durable: bool = False) -> None:
        name, payload = event.event_name(), event.model_dump(mode="json")
        if durable:
            self._outbox.add(DELIVER_EVENT_TASK, {"name": name, "payload": payload})
            return

        async def release() -> None:
            await deliver(name, payload)

        self._unit_of_work.after_commit(release)


DELIVER_EVENT_TASK = "events.deliver"
