import structlog

from app.core.events.base import ListenedEvent
from app.core.events.service import DeliverEventPayload
from app.core.queue.task import BaseTask, queued


@queued
class DeliverEvent(BaseTask[DeliverEventPayload]):
    """One durable listener hearing one event (an outbox row of its own). The listener runs in
    this task's unit of work, so its writes commit with the row's completion; when it raises,
    the row is retried with backoff and dead-lettered after its last attempt."""

    async def run(self, payload: DeliverEventPayload) -> None:
        structlog.contextvars.bind_contextvars(listener=payload.listener, event_name=payload.event)
        event = ListenedEvent(name=payload.event, data=payload.data)
        listener = self.platform.resources.registry.durable_listener(payload.listener)
        await listener.function(event, self.platform)
