"""Liveness and readiness against the real PostgreSQL and Redis, and with Redis unreachable."""

import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.core.config import AppConfig
from tests.conftest import build_app


async def test_live(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_ready_when_services_are_up(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/ready")
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


async def test_root_redirects_to_the_docs(client: httpx.AsyncClient) -> None:
    response = await client.get("/")
    assert response.status_code == 307
    assert response.headers["location"] == "/docs"


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # closed again when the block exits


@pytest.fixture
async def app_without_redis(app_config: AppConfig) -> AsyncIterator[httpx.AsyncClient]:
    config = app_config.model_copy(
        update={"REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0", "HEALTH_CHECK_TIMEOUT": 1.0}
    )
    application = build_app(config)
    async with (
        LifespanManager(application) as manager,
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=manager.app), base_url="http://testserver"
        ) as http,
    ):
        yield http


async def test_ready_is_503_naming_redis_when_redis_is_unreachable(
    app_without_redis: httpx.AsyncClient,
) -> None:
    response = await app_without_redis.get("/health/ready")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["checks"] == {"database": "ok", "redis": "unavailable"}
    assert "redis" in body["detail"]
    # Liveness does not depend on backing services.
    assert (await app_without_redis.get("/health/live")).status_code == 200
