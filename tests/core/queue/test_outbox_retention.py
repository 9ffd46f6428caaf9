"""Retention of outbox rows: completed ones go after OUTBOX_RETENTION, in batches; dead letters
and unfinished ones stay. (With a real worker and 3,000 tasks: test_retention.py.)"""

from datetime import timedelta

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import AppConfig
from app.core.outbox import OutboxMessage
from app.core.outbox.retention import PurgeCompletedOutbox, purge_completed
from app.core.resources import Resources

TASK = "test.retention"


async def test_completed_rows_are_deleted_in_batches_and_the_rest_is_kept(
    resources: Resources, db_session: AsyncSession
) -> None:
    now = utcnow()
    long_ago, cutoff = now - timedelta(days=40), now - timedelta(days=30)
    rows = [
        *({"payload": {"n": n}, "completed_at": long_ago} for n in range(5)),
        {"payload": {"n": "recent"}, "completed_at": now - timedelta(days=1)},
        {"payload": {"n": "dead"}, "dead_at": long_ago, "attempts": 5},
        {"payload": {"n": "pending"}, "available_at": long_ago},
    ]
    await db_session.execute(
        insert(OutboxMessage), [{"task_name": TASK, "context": {}, **row} for row in rows]
    )

    # Batches of 2: three transactions of their own.
    assert await purge_completed(resources.session_factory, cutoff, batch=2) == 5
    left = await db_session.scalars(select(OutboxMessage.payload).where(OutboxMessage.task_name == TASK))
    assert sorted(payload["n"] for payload in left) == ["dead", "pending", "recent"]


def test_the_retention_task_runs_on_a_schedule_with_a_week_by_default(app_config: AppConfig) -> None:
    assert PurgeCompletedOutbox.schedule(app_config) == [{"cron": "*/15 * * * *"}]
    assert AppConfig.model_fields["OUTBOX_RETENTION"].default == 7 * 24 * 3600
