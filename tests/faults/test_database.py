"""The database connection is killed under the API: the next request still succeeds."""

import uuid

import httpx
from asgi_lifespan import LifespanManager
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import AppConfig
from tests.conftest import build_app


async def test_killed_connections_are_replaced_transparently(
    app_config: AppConfig, engine: AsyncEngine
) -> None:
    name = f"kit-fault-{uuid.uuid4().hex[:8]}"
    application = build_app(app_config.model_copy(update={"DATABASE_APPLICATION_NAME": name}))
    async with (
        LifespanManager(application) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as client,
    ):
        # Pooled connections now exist in both pools: the write pool (readiness) and the read
        # pool (a GET's read-only unit of work).
        assert (await client.get("/health/ready")).status_code == 200
        assert (await client.get("/api/v1/widgets/1")).status_code == 404
        async with engine.connect() as admin:
            # With a timeout, pg_terminate_backend returns once each backend has exited: the
            # connections are dead, not merely asked to die.
            terminate = (
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) FROM pg_stat_activity"
                " WHERE application_name = :name"
            )
            killed = await admin.scalar(text(terminate), {"name": name})
        assert killed >= 2
        # The checkout's liveness check notices each dead connection and opens a new one: no
        # error reaches the client.
        assert (await client.get("/health/ready")).status_code == 200
        assert (await client.get("/api/v1/widgets/1")).status_code == 404
