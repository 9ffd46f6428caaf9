"""The queue service: push tasks from requests, tasks and the CLI, durably (through the outbox)."""

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Any

from app.core.outbox.writer import Outbox
from app.core.queue.task import BaseTask, task_name


class QueueServiceInterface(ABC):
    @abstractmethod
    async def push(
        self,
        task: type[BaseTask] | str,
        data: dict[str, Any] | None = None,
        *,
        delay: timedelta | None = None,
        at: datetime | None = None,
    ) -> int:
        """Queue `task` with `data`; it is sent after the unit of work commits (or when due).
        Returns the message id (the task's idempotency key)."""


class DefaultQueueService(QueueServiceInterface):
    def __init__(self, outbox: Outbox) -> None:
        self._outbox = outbox

    async def push(
        self,
        task: type[BaseTask] | str,
        data: dict[str, Any] | None = None,
        *,
        delay: timedelta | None = None,
        at: datetime | None = None,
    ) -> int:
        if delay is not None and at is not None:
            raise ValueError("give either delay or at, not both")
        name = task_name(task)
        if delay is not None:
            message = self._outbox.add_delayed(name, data or {}, delay)
        else:
            message = self._outbox.add(name, data or {}, available_at=at)
        await self._outbox.flush()
        return message.id
