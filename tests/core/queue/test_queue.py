"""Queue logic with the in-memory broker: tasks run in this process, inside the test transaction."""

import asyncio
import io
import json
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from fastapi import FastAPI
from freezegun import freeze_time
from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage
from app.core.outbox.relay import RelayOutboxPayload
from app.core.platform import Platform
from app.core.queue.broker import create_broker
from app.core.queue.runner import retry_delay, run_task
from app.core.resources import Resources, current_resources
from app.core.tasks import RelayOutbox
from tests.example import Widget
from tests.example.tasks import CreateWidget

TASKS = "/api/v1/widgets/platform/tasks"


async def widgets_named(session: AsyncSession, name: str) -> list[int]:
    return list(await session.scalars(select(Widget.id).where(Widget.name == name)))


async def outbox_row(session: AsyncSession, outbox_id: int) -> OutboxMessage:
    session.expunge_all()
    row = await session.get(OutboxMessage, outbox_id)
    assert row is not None
    return row


async def relay(resources: Resources) -> None:
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        await RelayOutbox(Platform.build(resources, unit_of_work)).run(RelayOutboxPayload(grace_seconds=0))


async def test_task_pushed_by_a_request_runs_after_commit(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await client.post(TASKS, json={"name": "from-task"})
    assert response.status_code == 202
    outbox_id = response.json()["outbox_id"]
    assert len(await widgets_named(db_session, "from-task")) == 1
    row = await outbox_row(db_session, outbox_id)
    assert row.completed_at is not None
    assert row.attempts == 1


async def test_rolled_back_request_queues_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await client.post(f"{TASKS}/rolled-back", json={"name": "never"})
    assert response.status_code == 409
    assert await widgets_named(db_session, "never") == []
    assert (
        await db_session.scalars(select(OutboxMessage).where(OutboxMessage.payload["name"].astext == "never"))
    ).all() == []


async def test_request_id_is_bound_into_task_logs(client: httpx.AsyncClient, log_lines: io.StringIO) -> None:
    response = await client.post(
        TASKS, json={"name": "traced"}, headers={"X-Request-ID": "trace-me-12345678"}
    )
    assert response.status_code == 202
    records = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    task_lines = [r for r in records if r.get("event") == "widget created by task"]
    assert task_lines
    assert task_lines[0]["request_id"] == "trace-me-12345678"
    assert task_lines[0]["task"] == "example.create_widget"


async def test_same_message_takes_effect_once(
    client: httpx.AsyncClient, db_session: AsyncSession, resources: Resources
) -> None:
    outbox_id = (await client.post(TASKS, json={"name": "once"})).json()["outbox_id"]
    again = await run_task(resources, CreateWidget, outbox_id, {})
    assert again == {"status": "already done"}
    assert len(await widgets_named(db_session, "once")) == 1


async def test_delayed_task_waits_for_the_relay(
    client: httpx.AsyncClient, db_session: AsyncSession, resources: Resources
) -> None:
    response = await client.post(TASKS, json={"name": "later", "delay_seconds": 60})
    outbox_id = response.json()["outbox_id"]
    await relay(resources)
    assert await widgets_named(db_session, "later") == []

    with freeze_time(datetime.now(UTC) + timedelta(seconds=61)):
        await relay(resources)
    assert len(await widgets_named(db_session, "later")) == 1
    assert (await outbox_row(db_session, outbox_id)).completed_at is not None


async def test_failures_retry_with_backoff_then_dead_letter(
    client: httpx.AsyncClient, db_session: AsyncSession, resources: Resources, log_lines: io.StringIO
) -> None:
    outbox_id = (await client.post(f"{TASKS}/failing")).json()["outbox_id"]
    row = await outbox_row(db_session, outbox_id)
    assert (row.attempts, row.published_at, row.dead_at) == (1, None, None)
    assert row.last_error == "RuntimeError: boom"
    first_wait = row.available_at - row.updated_at
    assert timedelta(seconds=1.9) < first_wait <= timedelta(seconds=2.3)

    # Nothing is retried before its backoff has passed.
    await relay(resources)
    assert (await outbox_row(db_session, outbox_id)).attempts == 1

    moment = datetime.now(UTC)
    for attempt in (2, 3):
        moment += timedelta(minutes=10)
        with freeze_time(moment):
            await relay(resources)
        assert (await outbox_row(db_session, outbox_id)).attempts == attempt

    row = await outbox_row(db_session, outbox_id)
    assert row.dead_at is not None
    errors = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    dead = [r for r in errors if r.get("event") == "task dead-lettered"]
    assert len(dead) == 1
    assert dead[0]["level"] == "error"
    assert "RuntimeError" in json.dumps(dead[0]["exception"])

    # A dead-lettered message is never run again.
    with freeze_time(moment + timedelta(hours=1)):
        await relay(resources)
    assert (await outbox_row(db_session, outbox_id)).attempts == 3


def test_backoff_is_exponential_and_capped() -> None:
    delays = [retry_delay(attempt, base=2, maximum=30).total_seconds() for attempt in range(1, 7)]
    for delay, expected in zip(delays, [2, 4, 8, 16, 30, 30], strict=True):
        assert expected <= delay <= expected * 1.1


def test_periodic_tasks_carry_schedule_labels_for_the_scheduler(app_config: AppConfig, app: FastAPI) -> None:
    config = app_config.model_copy(update={"OUTBOX_RELAY_INTERVAL": 7})
    broker = create_broker(config, app.state.resources.registry, current_resources)
    relay_task = broker.find_task("outbox.relay")
    assert relay_task is not None
    assert relay_task.labels["schedule"] == [{"interval": 7}]
    create_widget = broker.find_task("example.create_widget")
    assert create_widget is not None
    assert "schedule" not in create_widget.labels


async def test_a_briefly_locked_message_still_runs(app: FastAPI, engine: AsyncEngine) -> None:
    """The publisher and the relay lock outbox rows for a moment (marking them published) while a
    worker may already have the message: the worker must wait for them, not skip the message."""
    committed: Resources = app.state.resources  # real transactions: the lock is held by another connection
    name = f"locked-{uuid.uuid4().hex[:8]}"
    async with engine.begin() as connection:
        outbox_id = await connection.scalar(
            insert(OutboxMessage)
            .values(task_name=CreateWidget.__task_name__, payload={"name": name}, context={})
            .returning(OutboxMessage.id)
        )
    try:
        async with engine.connect() as locker:
            await locker.execute(
                select(OutboxMessage.id).where(OutboxMessage.id == outbox_id).with_for_update()
            )
            running = asyncio.create_task(run_task(committed, CreateWidget, outbox_id, {}))
            await asyncio.sleep(0.3)
            assert not running.done()
            await locker.commit()
        assert (await running)["status"] == "completed"
        async with engine.connect() as connection:
            created = await connection.scalar(
                select(func.count()).select_from(Widget).where(Widget.name == name)
            )
        assert created == 1
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(Widget).where(Widget.name == name))
            await connection.execute(delete(OutboxMessage).where(OutboxMessage.id == outbox_id))
