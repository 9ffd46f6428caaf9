"""The unit of work a worker runs a task in, on a pooled connection as in the worker (these tests
commit for real and clean up after themselves): a statement sent straight to the driver and what
the session writes are one transaction, committed or rolled back together, and side effects wait
for that commit."""

import asyncio
import contextlib

import pytest
from psycopg.errors import LockNotAvailable
from sqlalchemy import bindparam, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.clock import utcnow
from app.core.config import AppConfig
from app.core.db import create_engine, create_session_factory
from app.core.db.connection_unit_of_work import ConnectionUnitOfWork
from app.core.outbox import OutboxMessage
from app.core.queue.runner import LOCK_NOT_AVAILABLE
from tests.example import Widget

pytestmark = pytest.mark.usefixtures("cleanup")

# Counts an attempt on a message, locking it without waiting (as the worker's claim does).
_ATTEMPT = (
    update(OutboxMessage)
    .where(
        OutboxMessage.id
        == select(OutboxMessage.id)
        .where(OutboxMessage.id == bindparam("outbox_id"))
        .with_for_update(nowait=True)
        .scalar_subquery()
    )
    .values(attempts=OutboxMessage.attempts + 1, updated_at=bindparam("now"))
    .returning(OutboxMessage.id, OutboxMessage.payload)
)


@pytest.fixture
def factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(engine)


async def new_message(engine: AsyncEngine, run_id: str) -> int:
    async with engine.begin() as connection:
        outbox_id = await connection.scalar(
            insert(OutboxMessage)
            .values(task_name="example.noop", payload={"run": run_id}, context={})
            .returning(OutboxMessage.id)
        )
    assert outbox_id is not None
    return int(outbox_id)


async def attempt(factory: async_sessionmaker[AsyncSession], outbox_id: int) -> None:
    async with ConnectionUnitOfWork(factory) as unit_of_work:
        await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})


async def attempts(engine: AsyncEngine, outbox_id: int) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(select(OutboxMessage.attempts).where(OutboxMessage.id == outbox_id)) or 0
        )


async def widgets(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(select(func.count()).where(Widget.name == name)) or 0)


async def test_the_driver_statement_and_the_session_writes_commit_together(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    outbox_id = await new_message(engine, run_id)
    seen_after_commit: list[tuple[int, int]] = []

    async def after_commit() -> None:
        seen_after_commit.append((await attempts(engine, outbox_id), await widgets(engine, run_id)))

    async with ConnectionUnitOfWork(factory) as unit_of_work:
        assert await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()}) == (
            outbox_id,
            {"run": run_id},
        )
        unit_of_work.session.add(Widget(name=run_id))
        unit_of_work.after_commit(after_commit)
        # Nothing is visible to other connections before the commit.
        assert (await attempts(engine, outbox_id), await widgets(engine, run_id)) == (0, 0)
    assert seen_after_commit == [(1, 1)]


async def test_an_error_rolls_back_the_driver_statement_and_the_session_writes(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    outbox_id = await new_message(engine, run_id)
    released: list[str] = []

    async def after_commit() -> None:
        released.append("released")

    async def failing_task() -> None:
        async with ConnectionUnitOfWork(factory) as unit_of_work:
            await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})
            unit_of_work.session.add(Widget(name=run_id))
            await unit_of_work.session.flush()
            unit_of_work.after_commit(after_commit)
            raise RuntimeError("task failed")

    with pytest.raises(RuntimeError, match="task failed"):
        await failing_task()
    assert (await attempts(engine, outbox_id), await widgets(engine, run_id)) == (0, 0)
    assert released == []


async def test_without_the_session_the_driver_statement_commits_alone(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    outbox_id = await new_message(engine, run_id)
    async with ConnectionUnitOfWork(factory) as unit_of_work:
        await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})
    assert await attempts(engine, outbox_id) == 1


async def test_its_transaction_ends_at_its_boundary_only(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    """Ending it early would commit the claim before the work is done."""
    outbox_id = await new_message(engine, run_id)

    async def end_early() -> None:
        async with ConnectionUnitOfWork(factory) as unit_of_work:
            await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})
            await unit_of_work.end_read_transaction()

    with pytest.raises(RuntimeError, match="at its boundary only"):
        await end_early()
    assert await attempts(engine, outbox_id) == 0


async def test_side_effects_run_after_its_connection_went_back(
    app_config: AppConfig, engine: AsyncEngine, run_id: str
) -> None:
    """An after-commit hook that needs a connection (the outbox publisher's) gets one, even from
    a pool of one."""
    outbox_id = await new_message(engine, run_id)
    one = {"DATABASE_POOL_SIZE": 1, "DATABASE_MAX_OVERFLOW": 0, "DATABASE_POOL_TIMEOUT": 1}
    small = create_engine(app_config.model_copy(update=one))
    factory = create_session_factory(small)
    seen: list[int] = []

    async def hook() -> None:
        async with factory() as session:
            count = select(OutboxMessage.attempts).where(OutboxMessage.id == outbox_id)
            seen.append(int(await session.scalar(count) or 0))

    try:
        async with ConnectionUnitOfWork(factory) as unit_of_work:
            await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})
            unit_of_work.after_commit(hook)
    finally:
        await small.dispose()
    assert seen == [1]


async def test_a_failed_statement_the_work_caught_fails_the_commit(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    """PostgreSQL would answer its COMMIT with a rollback: neither the claim nor the side effects
    may look committed."""
    outbox_id = await new_message(engine, run_id)
    released: list[str] = []

    async def hook() -> None:
        released.append("hook")

    async def work_catching_its_error() -> None:
        async with ConnectionUnitOfWork(factory) as unit_of_work:
            await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})
            unit_of_work.after_commit(hook)
            with contextlib.suppress(DBAPIError):
                await unit_of_work.session.execute(text("SELECT 1 / 0"))

    with pytest.raises(RuntimeError, match="cannot commit"):
        await work_catching_its_error()
    assert (await attempts(engine, outbox_id), released) == (0, [])


async def test_a_cancelled_work_ends_cancelled(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    """Cancelled mid-statement (a worker shutting down), the work's error stays the cancellation,
    the claim is undone and the pool keeps no broken connection."""
    outbox_id = await new_message(engine, run_id)
    started = asyncio.Event()

    async def work() -> None:
        async with ConnectionUnitOfWork(factory) as unit_of_work:
            await unit_of_work.fetch_one(_ATTEMPT, {"outbox_id": outbox_id, "now": utcnow()})
            started.set()
            await unit_of_work.session.execute(text("SELECT pg_sleep(30)"))

    running = asyncio.create_task(work())
    await started.wait()
    await asyncio.sleep(0.2)  # into the sleep statement (a later cancel is the same case)
    running.cancel()
    with pytest.raises(asyncio.CancelledError):
        await running
    assert await attempts(engine, outbox_id) == 0
    await attempt(factory, outbox_id)  # the pool still serves
    assert await attempts(engine, outbox_id) == 1


async def test_a_locked_row_fails_the_statement_and_the_connection_goes_back_clean(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    outbox_id = await new_message(engine, run_id)
    async with engine.connect() as locker:
        await locker.execute(select(OutboxMessage.id).where(OutboxMessage.id == outbox_id).with_for_update())
        with pytest.raises(DBAPIError) as raised:  # as a session raises it
            await attempt(factory, outbox_id)
        assert isinstance(raised.value.orig, LockNotAvailable)
        assert raised.value.orig.sqlstate == LOCK_NOT_AVAILABLE
        await locker.rollback()
    # The pooled connections are usable: the failed transaction was rolled back.
    # More units of work than the pool holds connections (DATABASE_POOL_SIZE, 10 by default).
    for _ in range(12):
        await attempt(factory, outbox_id)
    assert await attempts(engine, outbox_id) == 12


async def test_a_value_left_to_a_python_side_default_is_refused(
    engine: AsyncEngine, factory: async_sessionmaker[AsyncSession], run_id: str
) -> None:
    """SQLAlchemy's execution would fill `updated_at` (its onupdate); the driver would write NULL."""
    outbox_id = await new_message(engine, run_id)
    statement = update(OutboxMessage).where(OutboxMessage.id == bindparam("outbox_id")).values(attempts=5)
    with pytest.raises(ValueError, match="Python-side defaults"):
        async with ConnectionUnitOfWork(factory) as unit_of_work:
            await unit_of_work.fetch_one(statement, {"outbox_id": outbox_id})
    assert await attempts(engine, outbox_id) == 0
