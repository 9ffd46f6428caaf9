"""Durable listeners with a real worker process: each (event, listener) is an outbox row of its
own, retried alone with backoff, dead-lettered after its last attempt, listed and requeued by
the CLI. Commits for real (a worker cannot see a test's transaction) and cleans up after itself."""

import asyncio

import pytest
from redis.asyncio import Redis
from sqlalchemy import Text, cast, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from typer.testing import CliRunner

from app.cli import cli
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage
from app.core.platform import Platform
from tests.core.queue.test_queue import relay
from tests.example import Widget
from tests.example.events import WidgetScrapped, WidgetShipped
from tests.processes import api, eventually, worker, worker_env

pytestmark = pytest.mark.slow
LISTENERS = "tests.example.listeners"


async def deliveries(engine: AsyncEngine, run_id: str) -> dict[str, OutboxMessage]:
    """This run's outbox rows, by listener."""
    async with AsyncSession(engine) as session:
        rows = await session.scalars(
            select(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(run_id))
        )
        return {row.payload["listener"].removeprefix(f"{LISTENERS}."): row for row in rows}


async def widgets(engine: AsyncEngine, run_id: str) -> list[str]:
    async with engine.connect() as connection:
        names = await connection.scalars(
            select(Widget.name).where(Widget.name.startswith(run_id)).order_by(Widget.name)
        )
        return list(names)


@pytest.mark.usefixtures("cleanup")
async def test_a_failing_durable_listener_is_retried_alone_then_dead_lettered_and_requeued(
    app_config: AppConfig, engine: AsyncEngine, redis: Redis, run_id: str
) -> None:
    config = app_config.model_copy(
        update={
            "QUEUE_BROKER": "redis",
            "QUEUE_NAME": f"tasks-durable-{run_id}",
            "QUEUE_IDLE_TIMEOUT_MS": 2000,
        }
    )
    # Three attempts, a tenth of a second apart: the listeners' failures, not the backoff, are tested.
    retries = {"QUEUE_MAX_ATTEMPTS": "3", "QUEUE_RETRY_BASE_DELAY": "0.1", "QUEUE_RETRY_MAX_DELAY": "0.2"}
    shipped, scrapped = f"{run_id}-shipped", f"{run_id}-scrapped"

    async def settled() -> dict[str, OutboxMessage] | None:
        await relay(resources)  # as the scheduler does: publish the retries whose backoff passed
        rows = await deliveries(engine, run_id)
        return rows if len(rows) == 3 and all(row.is_finished for row in rows.values()) else None

    with worker(worker_env(config, **retries)):
        async with api(config) as (_, resources):
            async with UnitOfWork(resources.session_factory) as unit_of_work:
                events = Platform.build(resources, unit_of_work).events
                events.dispatch(WidgetShipped(name=shipped))
                events.dispatch(WidgetScrapped(name=scrapped))
            rows = await eventually(settled)

            # One row per (event, listener). The flaky listener succeeded on its third attempt
            # (the widgets of its failed runs rolled back with them); its sibling ran once.
            assert sorted(rows) == ["broken_recycler", "notify_carrier", "record_shipment"]
            assert (rows["record_shipment"].attempts, rows["notify_carrier"].attempts) == (1, 3)
            assert rows["record_shipment"].completed_at is not None
            assert rows["notify_carrier"].completed_at is not None
            assert await redis.get(f"runs:record_shipment:{shipped}") == b"1"
            assert await redis.get(f"runs:notify_carrier:{shipped}") == b"3"
            assert await widgets(engine, run_id) == [f"{shipped}-carrier-3", f"{shipped}-recorded"]

            # The listener that always fails is dead-lettered with its error after 3 attempts.
            dead = rows["broken_recycler"]
            assert (dead.completed_at, dead.attempts) == (None, 3)
            assert dead.dead_at is not None
            assert dead.last_error == f"RuntimeError: recycler is broken for {scrapped}"

            # The CLI lists it (naming the listener and the error) and requeues it.
            listed = await asyncio.to_thread(
                CliRunner().invoke, cli, ["dead-letters", "--task", "events.deliver"]
            )
            assert listed.exit_code == 0, listed.output
            [line] = [line for line in listed.output.splitlines() if line.startswith(f"{dead.id}\t")]
            assert f"events.deliver {LISTENERS}.broken_recycler\t3 attempts" in line
            assert line.endswith(f"RuntimeError: recycler is broken for {scrapped}")
            requeued = await asyncio.to_thread(
                CliRunner().invoke, cli, ["requeue-dead", "--id", str(dead.id)]
            )
            assert requeued.exit_code == 0, requeued.output
            assert "requeued 1 dead message" in requeued.output
            again = (await deliveries(engine, run_id))["broken_recycler"]
            assert (again.dead_at, again.attempts) == (None, 0)

            # A fresh set of attempts: it runs three more times, then is dead again. Its
            # siblings are not run again.
            rows = await eventually(settled)
            assert (rows["broken_recycler"].attempts, rows["broken_recycler"].dead_at is not None) == (
                3,
                True,
            )
            assert await redis.get(f"runs:broken_recycler:{scrapped}") == b"6"
            assert await redis.get(f"runs:record_shipment:{shipped}") == b"1"
            assert await redis.get(f"runs:notify_carrier:{shipped}") == b"3"
