"""The request's unit of work commits on success, rolls back on error, and releases side effects
only after a successful commit; a row added despite rollback is written exactly once either way."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.core.db import ReadOnlyUnitOfWorkError, UnitOfWork, create_session_factory
from app.core.deps import get_unit_of_work
from app.core.errors import Conflict
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


async def test_safe_methods_read_through_autocommit_connections(app: FastAPI) -> None:
    """The app's own dependency (tests replace it): GET and HEAD units of work are read-only and
    their connections send no BEGIN; others get transactions."""
    open_unit_of_work = asynccontextmanager(get_unit_of_work)
    for method, read_only in (("GET", True), ("HEAD", True), ("POST", False), ("DELETE", False)):
        scope = {"type": "http", "method": method, "state": {"resources": app.state.resources}}
        async with open_unit_of_work(HTTPConnection(scope)) as unit_of_work:
            assert unit_of_work.read_only is read_only
            connection = await (await unit_of_work.session.connection()).get_raw_connection()
            assert connection.driver_connection is not None
            assert connection.driver_connection.autocommit is read_only, method
    websocket = {"type": "websocket", "state": {"resources": app.state.resources}}
    async with open_unit_of_work(HTTPConnection(websocket)) as unit_of_work:
        assert not unit_of_work.read_only


async def test_a_read_only_unit_of_work_refuses_writes(db_session: AsyncSession) -> None:
    factory = async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")
    with pytest.raises(ReadOnlyUnitOfWorkError):
        async with UnitOfWork(factory, read_only=True) as unit_of_work:
            unit_of_work.session.add(Widget(name="flushed"))
    with pytest.raises(ReadOnlyUnitOfWorkError):
        async with UnitOfWork(factory, read_only=True) as unit_of_work:
            await unit_of_work.session.execute(insert(Widget).values(name="inserted"))
    async with UnitOfWork(factory, read_only=True) as unit_of_work:
        with pytest.raises(ReadOnlyUnitOfWorkError):
            unit_of_work.after_commit(_nothing)
        assert await unit_of_work.session.scalar(select(Widget.id).where(Widget.name == "flushed")) is None
    assert await db_session.scalar(select(Widget.id).where(Widget.name.in_(["flushed", "inserted"]))) is None


async def test_a_get_that_writes_fails_and_stores_nothing(
    client: httpx.AsyncClient, db_session: AsyncSession
) -> None:
    response = await client.get("/api/v1/widgets/uow/sneaky-write")
    assert response.status_code == 500
    assert await db_session.scalar(select(Widget.id).where(Widget.name == "sneaky")) is None


async def _nothing() -> None:
    return None


def _record(name: str) -> Callable[[], Widget]:
    return lambda: Widget(name=name)


async def _names(session: AsyncSession, *names: str) -> list[str]:
    return list(await session.scalars(select(Widget.name).where(Widget.name.in_(names))))


async def test_a_row_added_despite_rollback_commits_with_the_transaction_once(
    db_session: AsyncSession,
) -> None:
    factory = async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")
    async with UnitOfWork(factory) as unit_of_work:
        unit_of_work.add_despite_rollback(_record("attempt-committed"))
    assert await _names(db_session, "attempt-committed") == ["attempt-committed"]


async def test_a_row_added_despite_rollback_outlives_the_error_that_rolls_back(
    db_session: AsyncSession,
) -> None:
    factory = async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")

    async def fail() -> None:
        async with UnitOfWork(factory) as unit_of_work:
            unit_of_work.session.add(Widget(name="change-rolled-back"))
            unit_of_work.add_despite_rollback(_record("attempt-rolled-back"))
            await unit_of_work.session.flush()
            raise LookupError("the failure being recorded")

    with pytest.raises(LookupError):
        await fail()
    assert await _names(db_session, "change-rolled-back", "attempt-rolled-back") == ["attempt-rolled-back"]


async def test_an_error_keeping_changes_writes_the_row_once(db_session: AsyncSession) -> None:
    factory = async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")

    async def fail() -> None:
        async with UnitOfWork(factory) as unit_of_work:
            unit_of_work.add_despite_rollback(_record("attempt-kept"))
            raise Conflict().keeping_changes()

    with pytest.raises(Conflict):
        await fail()
    assert await _names(db_session, "attempt-kept") == ["attempt-kept"]


async def test_a_row_added_despite_rollback_outlives_a_failed_commit(engine: AsyncEngine) -> None:
    """Real commits: the deferred unique constraint fails at COMMIT itself."""
    factory = create_session_factory(engine)

    async def fail() -> None:
        async with UnitOfWork(factory) as unit_of_work:
            unit_of_work.session.add_all([Widget(name="twin-commit"), Widget(name="twin-commit")])
            unit_of_work.add_despite_rollback(_record("attempt-failed-commit"))

    try:
        with pytest.raises(IntegrityError):
            await fail()
        async with factory() as session:
            assert await _names(session, "twin-commit", "attempt-failed-commit") == ["attempt-failed-commit"]
    finally:
        async with engine.begin() as connection:
            await connection.execute(
                delete(Widget).where(Widget.name.in_(["twin-commit", "attempt-failed-commit"]))
            )


async def test_a_read_only_unit_of_work_refuses_rows_despite_rollback(db_session: AsyncSession) -> None:
    factory = async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")
    async with UnitOfWork(factory, read_only=True) as unit_of_work:
        with pytest.raises(ReadOnlyUnitOfWorkError):
            unit_of_work.add_despite_rollback(_record("attempt-read-only"))
    assert await _names(db_session, "attempt-read-only") == []
