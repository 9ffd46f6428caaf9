"""Dead letters: messages that used up QUEUE_MAX_ATTEMPTS keep their payload and last error in the
outbox table, and stay there (retention never deletes them). Once the cause is fixed (the SMTP
server is back, a bug is deployed away), requeueing makes them due again with a fresh set of
attempts; the relay publishes them on its next run. Ones nobody wants run any more are purged."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.outbox.models import OutboxMessage


def _dead(task_name: str | None, ids: Sequence[int]) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [
        OutboxMessage.dead_at.is_not(None),
        OutboxMessage.completed_at.is_(None),
    ]
    if task_name is not None:
        conditions.append(OutboxMessage.task_name == task_name)
    if ids:
        conditions.append(OutboxMessage.id.in_(ids))
    return and_(*conditions)


async def list_dead(
    session: AsyncSession, *, task_name: str | None = None, limit: int = 100
) -> list[OutboxMessage]:
    """The dead messages (all, or those of `task_name`), oldest first."""
    statement = select(OutboxMessage).where(_dead(task_name, ())).order_by(OutboxMessage.dead_at).limit(limit)
    return list(await session.scalars(statement))


async def requeue_dead(
    session: AsyncSession, *, task_name: str | None = None, ids: Sequence[int] = ()
) -> int:
    """Make dead messages due again (all, or those of `task_name` / with these `ids`); returns how many."""
    statement = (
        update(OutboxMessage)
        .where(_dead(task_name, ids))
        .values(dead_at=None, attempts=0, published_at=None, available_at=utcnow())
    )
    result = await session.execute(statement)
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_dead(session: AsyncSession, *, task_name: str | None = None, ids: Sequence[int] = ()) -> int:
    """Delete dead messages for good (all, or those of `task_name` / with these `ids`); returns how many."""
    result = await session.execute(delete(OutboxMessage).where(_dead(task_name, ids)))
    return int(result.rowcount)  # type: ignore[attr-defined]
