"""Dead letters: messages that used up QUEUE_MAX_ATTEMPTS keep their payload and last error in the
outbox table. Once the cause is fixed (the SMTP server is back, a bug is deployed away), requeueing
makes them due again with a fresh set of attempts; the relay publishes them on its next run."""

from collections.abc import Sequence

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.outbox.models import OutboxMessage


async def requeue_dead(
    session: AsyncSession, *, task_name: str | None = None, ids: Sequence[int] = ()
) -> int:
    """Make dead messages due again (all, or those of `task_name` / with these `ids`); returns how many."""
    statement = (
        update(OutboxMessage)
        .where(OutboxMessage.dead_at.is_not(None), OutboxMessage.completed_at.is_(None))
        .values(dead_at=None, attempts=0, published_at=None, available_at=utcnow())
    )
    if task_name is not None:
        statement = statement.where(OutboxMessage.task_name == task_name)
    if ids:
        statement = statement.where(OutboxMessage.id.in_(ids))
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]
