"""End to end with real processes: the API queues through the outbox into Redis Streams, and a
separately started taskiq worker runs the task against the test database.

These tests commit for real (a worker cannot see a test's transaction); they clean up after
themselves and use a queue name of their own.
"""

import asyncio
import os
import signal
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage, result_id
from app.core.outbox.relay import RelayOutboxPayload
from app.core.platform import Platform
from app.core.queue.broker import create_broker
from app.core.queue.stream_publisher import StreamPublisher
from app.core.resources import Resources, current_resources
from app.core.tasks import RelayOutbox
from tests.core.health.test_health import closed_port
from tests.example import Widget
from tests.processes import api, eventually, worker, worker_env
from tests.smtp import smtp_server

pytestmark = pytest.mark.slow
TASKS = "/api/v1/widgets/platform/tasks"


@pytest.fixture
def queue_config(app_config: AppConfig, run_id: str) -> AppConfig:
    return app_config.model_copy(
        update={"QUEUE_BROKER": "redis", "QUEUE_NAME": f"tasks-e2e-{run_id}", "QUEUE_IDLE_TIMEOUT_MS": 2000}
    )


async def count_widgets(engine: AsyncEngine, name: str) -> int:
    async with engine.connect() as connection:
        return int(
            await connection.scalar(select(func.count()).select_from(Widget).where(Widget.name == name)) or 0
        )


async def outbox_row(engine: AsyncEngine, outbox_id: int) -> OutboxMessage:
    async with AsyncSession(engine) as session:
        row = await session.get(OutboxMessage, outbox_id)
        assert row is not None
        return row


@pytest.mark.usefixtures("cleanup")
async def test_task_pushed_through_the_api_runs_in_a_worker(
    queue_config: AppConfig, engine: AsyncEngine, run_id: str
) -> None:
    name = f"{run_id}-api"
    with worker(worker_env(queue_config)) as process:
        async with api(queue_config) as (client, resources):
            response = await client.post(
                TASKS, json={"name": name}, headers={"X-Request-ID": f"req-{run_id}"}
            )
            outbox_id = response.json()["outbox_id"]
            await eventually(lambda: count_widgets(engine, name))

            # The API published without taskiq; the worker's taskiq ran it.
            assert resources.broker is None
            assert isinstance(resources.publisher.sender, StreamPublisher)
            backend = create_broker(queue_config, resources.registry, current_resources).result_backend
            await eventually(lambda: backend.is_result_ready(result_id(outbox_id)))
            result = await backend.get_result(result_id(outbox_id))
            assert not result.is_err
            outcome = result.return_value
            assert isinstance(outcome, dict)
            assert outcome["status"] == "completed"
            assert outcome["result"]["widget_id"] > 0
            # Results expire.
            ttl = await resources.redis.ttl(f"{queue_config.QUEUE_NAME}:result:{result_id(outbox_id)}")
            assert 0 < ttl <= queue_config.QUEUE_RESULT_TTL
    assert await count_widgets(engine, name) == 1
    assert (await outbox_row(engine, outbox_id)).completed_at is not None
    # The worker's log lines of that task carry the id of the request that queued it.
    assert any(f"req-{run_id}" in line and "widget created by task" in line for line in process.lines)


@pytest.mark.usefixtures("cleanup")
async def test_worker_killed_mid_task_has_it_redelivered_and_done_once(
    queue_config: AppConfig, engine: AsyncEngine, run_id: str
) -> None:
    name = f"{run_id}-killed"
    env = worker_env(queue_config)
    async with api(queue_config) as (client, resources):
        with worker(env) as first:
            outbox_id = (await client.post(TASKS, json={"name": name, "sleep": 3})).json()["outbox_id"]
            await eventually(lambda: resources.redis.get(f"started:{name}"))
            first.kill()
        assert await count_widgets(engine, name) == 0

        with worker(env):
            await asyncio.sleep(queue_config.QUEUE_IDLE_TIMEOUT_MS / 1000 + 0.2)
            # A worker reclaims abandoned messages after its next fetch (in production the
            # outbox relay's periodic message provides one).
            await client.post(TASKS, json={"name": f"{run_id}-trigger"})
            await eventually(lambda: count_widgets(engine, name))
            await asyncio.sleep(0.5)
    assert await count_widgets(engine, name) == 1
    row = await outbox_row(engine, outbox_id)
    assert row.completed_at is not None
    assert row.attempts == 1


async def relay(resources: Resources) -> None:
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        await RelayOutbox(Platform.build(resources, unit_of_work)).run(RelayOutboxPayload(grace_seconds=0))


@pytest.mark.usefixtures("cleanup")
async def test_queued_email_survives_redis_down_and_is_sent_once_it_is_back(
    queue_config: AppConfig, engine: AsyncEngine, run_id: str, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as inbox:
        smtp = {"MAIL_BACKEND": "smtp", "MAIL_SMTP_HOST": "127.0.0.1", "MAIL_SMTP_PORT": inbox.port}
        broker_down = queue_config.model_copy(
            update={"QUEUE_REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0", **smtp}
        )
        async with api(broker_down) as (client, _):
            response = await client.post(
                "/api/v1/widgets/platform/mail", json={"name": run_id, "email": "carol@example.com"}
            )
            assert response.status_code == 202
            outbox_id = response.json()["outbox_id"]
        row = await outbox_row(engine, outbox_id)
        assert (row.published_at, row.completed_at) == (None, None)

        # Redis is back: the relay (which the scheduler runs every few seconds) publishes it.
        env = worker_env(queue_config, **{key: str(value) for key, value in smtp.items()})
        with worker(env):
            async with api(queue_config) as (_, resources):
                await relay(resources)
                # Published again by mistake: the consumer is idempotent on the outbox id.
                await resources.publisher.publish([row], resources.session_factory)
                await eventually(lambda: asyncio.sleep(0, result=len(inbox.messages)))
                await eventually(lambda: _completed(engine, outbox_id))
                await asyncio.sleep(1.0)  # room for a duplicate to arrive, if one were sent
    # The relay also publishes whatever else is due in the shared test database: count this
    # message's deliveries (its subject carries the run id).
    mine = [message for message in inbox.messages if run_id in str(message["Subject"])]
    assert [message["To"] for message in mine] == ["carol@example.com"]


async def _completed(engine: AsyncEngine, outbox_id: int) -> bool:
    return (await outbox_row(engine, outbox_id)).completed_at is not None


@pytest.mark.usefixtures("cleanup")
async def test_sigterm_lets_the_running_task_finish(
    queue_config: AppConfig, engine: AsyncEngine, run_id: str
) -> None:
    name = f"{run_id}-graceful"
    async with api(queue_config) as (client, resources):
        with worker(worker_env(queue_config)) as running:
            outbox_id = (await client.post(TASKS, json={"name": name, "sleep": 2})).json()["outbox_id"]
            await eventually(lambda: resources.redis.get(f"started:{name}"))
            os.killpg(running.popen.pid, signal.SIGTERM)  # what an orchestrator sends on shutdown
            await asyncio.to_thread(running.popen.wait, 30)
    assert await count_widgets(engine, name) == 1
    assert (await outbox_row(engine, outbox_id)).completed_at is not None
