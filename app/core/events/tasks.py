from typing import Any

import structlog

from app.core.events.base import ListenedEvent
from app.core.events.registry import durable_listener
from app.core.events.service import DELIVER_EVENT_TASK
from app.core.queue.task import BaseTask, queued


@queued
class DeliverEvent(BaseTask):
    """One durable listener hearing one event (an outbox row of its own). The listener runs in
    this task's unit of work, so its writes commit with the row's completion; when it raises,
    the row is retried with backoff and dead-lettered after its last attempt."""

    __task_name__ = DELIVER_EVENT_TASK

    async def run(self, listener: str, event: str, data: Any) -> None:
        structlog.contextvars.bind_contextvars(listener=listener, event_name=event)
        await durable_listener(listener).function(ListenedEvent(name=event, data=data), self.platform)
