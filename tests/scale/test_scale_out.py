"""Scale-out on one machine: two API processes and two workers sharing PostgreSQL and Redis
(`make scale-test`; it runs in the suite too).

- a rate limit is shared exactly: concurrent login attempts spread over both APIs;
- a chat message posted on one API reaches a WebSocket held by the other;
- 1,000 queued tasks, consumed by both workers, each take effect exactly once.
"""

import asyncio
import uuid
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy import Text, cast, delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from app.auth.config import AuthConfig
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage
from app.core.platform import Platform
from tests.chat.sockets import post_across
from tests.example import Widget
from tests.example.tasks import CreateWidgetPayload
from tests.processes import api, api_process, eventually, worker, worker_env

pytestmark = pytest.mark.slow
TASKS = 1000


@pytest.fixture(scope="module")
def run_id() -> str:
    return f"scale{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def scale_config(app_config: AppConfig, run_id: str) -> AppConfig:
    return app_config.model_copy(
        update={"QUEUE_BROKER": "redis", "QUEUE_NAME": f"tasks-{run_id}", "QUEUE_IDLE_TIMEOUT_MS": 2000}
    )


@pytest.fixture(scope="module")
async def forget_run_rows(engine: AsyncEngine, run_id: str) -> AsyncIterator[None]:
    """The run's outbox rows (its users' emails, which the stopped workers may not have sent)
    go with it: a later run's relay would otherwise send them to that run's mail server."""
    yield
    async with engine.begin() as connection:
        await connection.execute(
            delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(run_id))
        )


@pytest.fixture(scope="module")
def cluster(scale_config: AppConfig, run_id: str, forget_run_rows: None) -> Iterator[tuple[str, str]]:
    # Channels of this run's own: pub/sub is shared by every Redis database, so other test runs
    # on this Redis would otherwise reach these sockets (and close them).
    env = worker_env(scale_config, RATE_LIMITER_ENABLED="true", CHAT_CHANNEL_PREFIX=f"{run_id}:room")
    quiet = {**env, "LOG_LEVEL": "WARNING"}
    with (
        api_process(quiet) as (first, _),
        api_process(quiet) as (second, _),
        worker(env),
        worker(env),
    ):
        yield first, second


async def test_a_rate_limit_is_shared_exactly(cluster: tuple[str, str], run_id: str) -> None:
    limit = AuthConfig().RATE_LIMIT_PER_ACCOUNT
    attempts = 4 * limit
    clients = [httpx.AsyncClient(base_url=base) for base in cluster]
    try:
        responses = await asyncio.gather(
            *(
                clients[n % 2].post(
                    "/api/v1/auth/login", data={"username": f"{run_id}-nobody", "password": "Wrong-pass-1"}
                )
                for n in range(attempts)
            )
        )
    finally:
        for client in clients:
            await client.aclose()
    statuses = [response.status_code for response in responses]
    assert statuses.count(401) == limit, statuses
    assert statuses.count(429) == attempts - limit, statuses


async def test_a_message_crosses_processes(cluster: tuple[str, str], run_id: str) -> None:
    posted, frame = await post_across(*cluster, run_id)
    assert frame["message"] == posted
    assert posted["body"] == "across"


async def test_a_thousand_tasks_take_effect_once_each(
    cluster: tuple[str, str], scale_config: AppConfig, engine: AsyncEngine, run_id: str
) -> None:
    del cluster  # the two workers consume
    ids: list[int] = []
    try:
        async with api(scale_config) as (_, resources):
            async with UnitOfWork(resources.session_factory) as unit_of_work:
                queue = Platform.build(resources, unit_of_work).queue
                ids += [await queue.push(CreateWidgetPayload(name=f"{run_id}-{n}")) for n in range(TASKS)]

            async def all_completed() -> bool:
                async with engine.connect() as connection:
                    done = await connection.scalar(
                        select(func.count()).where(
                            OutboxMessage.id.in_(ids), OutboxMessage.completed_at.is_not(None)
                        )
                    )
                return done == TASKS

            await eventually(all_completed, seconds=120)
        async with engine.connect() as connection:
            rows = await connection.scalar(
                select(func.count()).select_from(Widget).where(Widget.name.startswith(f"{run_id}-"))
            )
            distinct = await connection.scalar(
                select(func.count(Widget.name.distinct())).where(Widget.name.startswith(f"{run_id}-"))
            )
            attempts = await connection.scalar(
                select(func.max(OutboxMessage.attempts)).where(OutboxMessage.id.in_(ids))
            )
        assert (rows, distinct, attempts) == (TASKS, TASKS, 1)
    finally:
        async with engine.begin() as connection:
            await connection.execute(delete(Widget).where(Widget.name.startswith(f"{run_id}-")))
            await connection.execute(delete(OutboxMessage).where(OutboxMessage.id.in_(ids)))
