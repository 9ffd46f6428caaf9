"""The checkout's liveness check: a socket poll on every checkout, a real ping only after the
connection sat idle for DATABASE_PING_AFTER seconds (see app/core/db/liveness.py). The socket
branch is exercised by tests/faults/test_database.py; these cover the ping branch."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import AppConfig
from app.core.db import create_engine

BACKEND_PID = text("SELECT pg_backend_pid()")


@pytest.fixture
async def engine_pinging_after(app_config: AppConfig) -> AsyncIterator[Callable[[float], AsyncEngine]]:
    engines: list[AsyncEngine] = []

    def build(ping_after: float) -> AsyncEngine:
        engine = create_engine(app_config.model_copy(update={"DATABASE_PING_AFTER": ping_after}))
        engines.append(engine)
        return engine

    yield build
    for engine in engines:
        await engine.dispose()


def record_pings(engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch, *, silent: bool = False) -> list[bool]:
    """The dialect's ping, counted (True: the server answered). With `silent`, the peer stopped
    answering without closing the socket (a network partition): the driver gives the connection
    up, as it does once its timeout runs out, and the ping fails on it."""
    dialect = engine.sync_engine.dialect
    real_ping = dialect.do_ping
    results: list[bool] = []

    def ping(dbapi_connection: Any) -> bool:
        if silent:
            dbapi_connection.close()
        try:
            real_ping(dbapi_connection)
        except Exception:
            results.append(False)
            raise
        results.append(True)
        return True

    monkeypatch.setattr(dialect, "do_ping", ping)
    return results


async def backend_pid(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int(await connection.scalar(BACKEND_PID))


@pytest.mark.parametrize(
    ("ping_after", "expected_pings"),
    [(60.0, []), (0.0, [True])],
    ids=["recently used: not pinged", "idle: pinged, kept as it answers"],
)
async def test_a_connection_that_answers_is_kept(
    engine_pinging_after: Callable[[float], AsyncEngine],
    monkeypatch: pytest.MonkeyPatch,
    ping_after: float,
    expected_pings: list[bool],
) -> None:
    engine = engine_pinging_after(ping_after)
    pings = record_pings(engine, monkeypatch)
    first = await backend_pid(engine)
    assert await backend_pid(engine) == first
    assert pings == expected_pings


async def test_an_idle_connection_that_does_not_answer_is_replaced(
    engine_pinging_after: Callable[[float], AsyncEngine], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = engine_pinging_after(0.0)
    first = await backend_pid(engine)
    pings = record_pings(engine, monkeypatch, silent=True)
    # The pool discards the silent connection and opens a new one (brand new: not pinged).
    assert await backend_pid(engine) != first
    assert pings == [False]
