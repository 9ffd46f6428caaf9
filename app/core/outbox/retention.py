"""Retention: completed outbox messages are deleted OUTBOX_RETENTION after they completed.

A scheduled task deletes them oldest first, in batches of their own short transactions (no long
lock, no huge transaction after a backlog). Dead letters are never deleted here: they wait for
an operator to requeue or purge them (app.core.outbox.dead_letters, the CLI). The broker's
stream is kept short by the queue itself (an entry is deleted when it is acknowledged).
"""

from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.clock import utcnow
from app.core.log import logger
from app.core.outbox.models import OutboxMessage
from app.core.queue.payload import TaskPayload
from app.core.queue.task import BaseTask, queued

PURGE_BATCH = 1000


async def purge_completed(
    session_factory: async_sessionmaker[AsyncSession], before: datetime, *, batch: int = PURGE_BATCH
) -> int:
    """Delete the messages completed before `before`, `batch` rows per transaction; returns how many."""
    oldest = (
        select(OutboxMessage.id)
        .where(OutboxMessage.completed_at < before)
        .order_by(OutboxMessage.completed_at)
        .limit(batch)
    )
    statement = delete(OutboxMessage).where(OutboxMessage.id.in_(oldest.scalar_subquery()))
    deleted = 0
    while True:
        async with session_factory() as session, session.begin():
            count = int((await session.execute(statement)).rowcount)  # type: ignore[attr-defined]
        deleted += count
        if count < batch:
            return deleted


class PurgeCompletedOutboxPayload(TaskPayload):
    __task_name__ = "outbox.purge_completed"


@queued
class PurgeCompletedOutbox(BaseTask[PurgeCompletedOutboxPayload]):
    __max_attempts__ = 1
    __schedule__: ClassVar[list[dict[str, Any]]] = [{"cron": "*/15 * * * *"}]

    async def run(self, payload: PurgeCompletedOutboxPayload) -> dict[str, int]:
        del payload
        platform = self.platform
        before = utcnow() - timedelta(seconds=platform.config.OUTBOX_RETENTION)
        deleted = await purge_completed(platform.unit_of_work.session_factory, before)
        if deleted:
            logger.info("completed outbox messages deleted", deleted=deleted)
        return {"deleted": deleted}
