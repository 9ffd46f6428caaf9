"""The queue service: push tasks from requests, tasks and the CLI, durably (through the outbox)."""

from abc import ABC, abstractmethod
from datetime import datetime, timedelta
from typing import Protocol

from app.core.outbox.writer import Outbox
from app.core.queue.payload import TaskPayload


class Tasks(Protocol):
    """The tasks of the installed modules: the registry (app.core.registry)."""

    def task_for(self, payload: TaskPayload) -> object:
        """The task that runs `payload`; raises LookupError if none does."""


class QueueServiceInterface(ABC):
    @abstractmethod
    async def push(
        self, payload: TaskPayload, *, delay: timedelta | None = None, at: datetime | None = None
    ) -> int:
        """Queue the task that runs `payload` (`await queue.push(SendDigestPayload(user_id=1))`);
        it is sent after the unit of work commits (or when due). Returns the message id (the
        task's idempotency key)."""


class DefaultQueueService(QueueServiceInterface):
    def __init__(self, outbox: Outbox, tasks: Tasks) -> None:
        self._outbox = outbox
        self._tasks = tasks

    async def push(
        self, payload: TaskPayload, *, delay: timedelta | None = None, at: datetime | None = None
    ) -> int:
        if delay is not None and at is not None:
            raise ValueError("give either delay or at, not both")
        if not isinstance(payload, TaskPayload):
            raise TypeError(f"push a TaskPayload, not {type(payload).__name__}")
        self._tasks.task_for(payload)  # a task of an installed module runs it
        if delay is not None:
            message = self._outbox.add_delayed(payload, delay)
        else:
            message = self._outbox.add(payload, available_at=at)
        await self._outbox.flush()
        return message.id
