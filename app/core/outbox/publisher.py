"""Publishing outbox rows to the broker: right after commit, and from the relay."""

from collections.abc import Sequence
from typing import Any, Protocol

from redis.exceptions import RedisError
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.clock import utcnow
from app.core.log import logger
from app.core.outbox.models import OutboxMessage


class TaskSender(Protocol):
    """Where messages go: the workers' Redis stream (app.core.queue.stream_publisher, without
    taskiq) or a taskiq broker (app.core.queue.broker.BrokerSender: the in-memory one)."""

    async def start(self) -> None:
        """Get ready to send (at startup)."""

    async def send(self, task_name: str, task_id: str, kwargs: dict[str, Any]) -> None:
        """Queue one call of task `task_name` with `kwargs`; `task_id` names its result."""

    async def close(self) -> None:
        """Release what `start` or `send` opened (at shutdown)."""


def result_id(outbox_id: int) -> str:
    """The taskiq task id (and result key) of an outbox message."""
    return f"outbox-{outbox_id}"


class Publisher:
    def __init__(self, sender: TaskSender) -> None:
        self.sender = sender

    async def _kick_all(self, messages: Sequence[OutboxMessage]) -> tuple[list[int], list[int]]:
        """Kick in order until the broker fails; returns (sent ids, unsent ids)."""
        sent: list[int] = []
        for index, message in enumerate(messages):
            try:
                # The message carries only the id: the worker reads the payload from the row. The
                # task id is the outbox id, so the result can be looked up by it.
                await self.sender.send(message.task_name, result_id(message.id), {"outbox_id": message.id})
            except (RedisError, OSError) as error:
                logger.warning(
                    "broker unavailable, left for the outbox relay", outbox_id=message.id, error=repr(error)
                )
                return sent, [unsent.id for unsent in messages[index:]]
            sent.append(message.id)
        return sent, []

    async def publish(
        self, messages: Sequence[OutboxMessage], session_factory: async_sessionmaker[AsyncSession]
    ) -> int:
        """Kick freshly committed messages and mark the ones sent."""
        sent, _ = await self._kick_all(messages)
        if sent:
            await _set_published(session_factory, sent, published=True)
        return len(sent)

    async def publish_claimed(
        self, messages: Sequence[OutboxMessage], session_factory: async_sessionmaker[AsyncSession]
    ) -> int:
        """Kick messages the relay already marked published; unmark the ones the broker refused."""
        sent, unsent = await self._kick_all(messages)
        if unsent:
            await _set_published(session_factory, unsent, published=False)
        return len(sent)


async def _set_published(
    session_factory: async_sessionmaker[AsyncSession], ids: Sequence[int], *, published: bool
) -> None:
    # Only messages no worker has touched yet: a fast worker may already have completed one, or
    # recorded a failure and scheduled its retry, and that state must not be overwritten. Rows a
    # worker is running right now are locked by it and skipped, so this never waits on a task.
    untouched = (
        select(OutboxMessage.id)
        .where(OutboxMessage.id.in_(ids), OutboxMessage.attempts == 0, OutboxMessage.completed_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    async with session_factory() as session, session.begin():
        await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(untouched.scalar_subquery()))
            .values(published_at=utcnow() if published else None)
        )
