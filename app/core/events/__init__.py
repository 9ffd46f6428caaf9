"""Events: `platform.events.dispatch(Event(...))`, delivered to listeners after the unit of work
commits. Listeners are declared with `@listener` (app.core.events.listener)."""

from app.core.events.base import BaseEvent, ListenedEvent
from app.core.events.service import DefaultEventsService, EventsServiceInterface

__all__ = ["BaseEvent", "DefaultEventsService", "EventsServiceInterface", "ListenedEvent"]
