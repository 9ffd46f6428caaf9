"""Retention with a real worker: 3,000 tasks leave nothing behind in the Redis stream, and the
retention task deletes their outbox rows once OUTBOX_RETENTION has passed; what is still running
or dead-lettered is kept. Commits for real and cleans up after itself."""

import dataclasses

import pytest
from redis.asyncio import Redis
from sqlalchemy import Text, cast, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.clock import utcnow
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage
from app.core.outbox.retention import PurgeCompletedOutbox, PurgeCompletedOutboxPayload
from app.core.platform import Platform
from app.core.resources import Resources
from tests.example import Widget
from tests.example.tasks import CreateWidgetPayload, NoopPayload
from tests.processes import api, eventually, worker, worker_env

pytestmark = pytest.mark.slow
TASKS = 3000


async def count_rows(engine: AsyncEngine, run_id: str, *, completed: bool | None = None) -> int:
    statement = select(func.count()).where(cast(OutboxMessage.payload, Text).contains(run_id))
    if completed is not None:
        statement = statement.where(
            OutboxMessage.completed_at.is_not(None) if completed else OutboxMessage.completed_at.is_(None)
        )
    async with engine.connect() as connection:
        return int(await connection.scalar(statement) or 0)


async def purge(resources: Resources, retention: int) -> dict[str, int]:
    """The scheduled retention task, run here with OUTBOX_RETENTION = `retention` seconds."""
    config = resources.config.model_copy(update={"OUTBOX_RETENTION": retention})
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        context = Platform.build(dataclasses.replace(resources, config=config), unit_of_work)
        return await PurgeCompletedOutbox(context).run(PurgeCompletedOutboxPayload())


async def stream(redis: Redis, name: str) -> tuple[int, int]:
    """(entries in the stream, entries delivered and not yet acknowledged)."""
    return int(await redis.xlen(name)), int((await redis.xpending(name, name))["pending"])


async def only_running(redis: Redis, name: str) -> bool:
    """The stream holds one entry, delivered and not acknowledged (or the wait times out)."""
    return await stream(redis, name) == (1, 1)


async def empty(redis: Redis, name: str) -> bool:
    return await stream(redis, name) == (0, 0)


@pytest.mark.usefixtures("cleanup")
async def test_thousands_of_tasks_leave_a_bounded_stream_and_outbox(
    app_config: AppConfig, engine: AsyncEngine, redis: Redis, run_id: str
) -> None:
    queue = f"tasks-retention-{run_id}"
    config = app_config.model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": queue})
    slow = f"{run_id}-slow"
    async with engine.begin() as connection:  # a dead letter: kept until requeued or purged
        await connection.execute(
            insert(OutboxMessage).values(
                task_name=NoopPayload.task_name(),
                payload={"run": run_id},
                context={},
                attempts=5,
                dead_at=utcnow(),
            )
        )
    with worker(worker_env(config)) as process:
        async with api(config) as (_, resources):
            # One transaction, one multi-row INSERT; published to the stream after commit.
            async with UnitOfWork(resources.session_factory) as unit_of_work:
                outbox = Platform.build(resources, unit_of_work).outbox
                for _ in range(TASKS):
                    outbox.add(NoopPayload(run=run_id))

            async def all_done() -> bool:
                return await count_rows(engine, run_id, completed=True) == TASKS

            await eventually(all_done, seconds=120)
            # A task still running: its entry is delivered and not acknowledged.
            async with UnitOfWork(resources.session_factory) as unit_of_work:
                await Platform.build(resources, unit_of_work).queue.push(
                    CreateWidgetPayload(name=slow, sleep=2)
                )
            await eventually(lambda: resources.redis.get(f"started:{slow}"))
            # A message is acknowledged (and deleted) just after its task's commit: wait for the last.
            await eventually(lambda: only_running(redis, queue))
            length, pending = await stream(redis, queue)
            print(f"\nafter {TASKS} tasks, one running: stream length {length}, pending {pending}")
            assert (length, pending) == (1, 1)

            # Within the retention period nothing is deleted; after it, every completed row.
            await purge(resources, retention=3600)
            assert await count_rows(engine, run_id, completed=True) == TASKS
            rows_before = await count_rows(engine, run_id)
            deleted = (await purge(resources, retention=0))["deleted"]
            rows_after = await count_rows(engine, run_id)
            print(f"outbox rows of the run: {rows_before} -> {rows_after} ({deleted} deleted)")
            assert deleted >= TASKS
            # Left: the dead letter and the running task's row (not completed yet).
            assert (rows_before, rows_after) == (TASKS + 2, 2)

            # Nothing pending was lost: the running task completes, and its entry goes too.
            async def widget_made() -> bool:
                async with engine.connect() as connection:
                    return bool(await connection.scalar(select(func.count()).where(Widget.name == slow)))

            await eventually(widget_made)
            await eventually(lambda: count_rows(engine, run_id, completed=True))
            await eventually(lambda: empty(redis, queue))
            assert await stream(redis, queue) == (0, 0)
    assert "Traceback" not in process.output()
