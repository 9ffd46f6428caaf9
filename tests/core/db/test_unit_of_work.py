"""The request's unit of work commits on success, rolls back on error, and releases side effects
only after a successful commit."""

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.db import UnitOfWork, create_session_factory
from app.core.deps import get_unit_of_work
from tests.conftest import asgi_client
from tests.example import Widget, routes
from tests.overrides import units_of_work_from


@pytest.fixture(autouse=True)
def _reset_released() -> None:
    routes.released.clear()


async def test_success_commits_then_releases_side_effects(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await client.post("/api/v1/widgets", json={"name": "committed"})
    assert response.status_code == 201
    assert routes.released == ["created committed"]
    assert await db_session.scalar(select(Widget.id).where(Widget.name == "committed")) is not None


async def test_one_unit_of_work_per_request(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/widgets/uow/shared")
    assert response.json() == {"shared": True}


async def test_error_rolls_back_and_drops_side_effects(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await client.post("/api/v1/widgets/fail-after-flush", json={"name": "rolled-back"})
    assert response.status_code == 404
    assert routes.released == []
    assert await db_session.scalar(select(Widget.id).where(Widget.name == "rolled-back")) is None


async def test_failing_hook_does_not_stop_the_others(db_session: AsyncSession) -> None:
    ran: list[str] = []

    async def broken() -> None:
        raise RuntimeError("side effect failed")

    async def fine() -> None:
        ran.append("fine")

    factory = async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")
    async with UnitOfWork(factory) as unit_of_work:
        unit_of_work.after_commit(broken)
        unit_of_work.after_commit(fine)
    assert ran == ["fine"]


@pytest.fixture
async def real_transactions(app: FastAPI, engine: AsyncEngine) -> AsyncIterator[httpx.AsyncClient]:
    """The app's own session factory, without the per-test outer transaction: commits are real."""
    app.dependency_overrides[get_unit_of_work] = units_of_work_from(create_session_factory(engine))
    try:
        async with asgi_client(app) as http:
            yield http
    finally:
        app.dependency_overrides.pop(get_unit_of_work, None)
        async with engine.begin() as connection:
            await connection.execute(delete(Widget).where(Widget.name == "twin"))


async def test_failed_commit_is_an_error_response_not_a_200(
    real_transactions: httpx.AsyncClient, engine: AsyncEngine
) -> None:
    # The unique constraint is deferred: the duplicate is only detected by COMMIT itself.
    response = await real_transactions.post("/api/v1/widgets/pair", json={"name": "twin"})
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    async with engine.connect() as connection:
        assert (await connection.scalars(select(Widget.id).where(Widget.name == "twin"))).all() == []
