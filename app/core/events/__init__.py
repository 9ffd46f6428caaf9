"""Events and listeners on fastapi-events, released after the unit of work commits."""

from app.core.events.base import BaseEvent, ListenedEvent
from app.core.events.registry import listener, local_handler
from app.core.events.service import DefaultEventsService, EventsServiceInterface, deliver

__all__ = [
    "BaseEvent",
    "DefaultEventsService",
    "EventsServiceInterface",
    "ListenedEvent",
    "deliver",
    "listener",
    "local_handler",
]
