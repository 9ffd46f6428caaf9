"""Outbox: adds messages to the current unit of work and publishes them once it has committed."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from app.core.clock import utcnow
from app.core.db import UnitOfWork
from app.core.log import bound_context
from app.core.outbox.models import OutboxMessage
from app.core.outbox.publisher import Publisher

if TYPE_CHECKING:
    from app.core.queue.payload import TaskPayload


class Outbox:
    def __init__(self, unit_of_work: UnitOfWork, publisher: Publisher) -> None:
        self._unit_of_work = unit_of_work
        self._publisher = publisher
        self._due: list[OutboxMessage] = []

    def add(self, payload: "TaskPayload", *, available_at: datetime | None = None) -> OutboxMessage:
        """Record a message for the payload's task in this transaction; it is published after
        commit once it is due."""
        now = utcnow()
        message = OutboxMessage(
            task_name=payload.task_name(),
            payload=payload.model_dump(mode="json"),
            context={key: value for key, value in bound_context().items() if key == "request_id"},
            available_at=available_at or now,
        )
        self._unit_of_work.session.add(message)
        if message.available_at <= now:
            if not self._due:
                self._unit_of_work.after_commit(self._publish_due)
            self._due.append(message)
        return message

    def add_delayed(self, payload: "TaskPayload", delay: timedelta) -> OutboxMessage:
        """Delayed messages are published by the relay when they become due."""
        return self.add(payload, available_at=utcnow() + delay)

    async def flush(self) -> None:
        """Write pending messages now (to learn their ids)."""
        await self._unit_of_work.session.flush()

    async def _publish_due(self) -> None:
        due, self._due = self._due, []
        await self._publisher.publish(due, self._unit_of_work.session_factory)
