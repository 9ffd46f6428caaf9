"""The rate limiter against the real Redis, with limits switched on (they are off in .test.env)."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from ipaddress import IPv4Network
from typing import Any

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.core.config import AppConfig
from tests.conftest import build_app
from tests.core.health.test_health import closed_port

LIMITED = "/api/v1/widgets/platform/limited"


@asynccontextmanager
async def limited_app(
    config: AppConfig, peer: str = "127.0.0.1", **settings: Any
) -> AsyncIterator[httpx.AsyncClient]:
    application = build_app(config.model_copy(update={"RATE_LIMITER_ENABLED": True, **settings}))
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app, client=(peer, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
def config(app_config: AppConfig) -> AppConfig:
    return app_config


async def test_exactly_the_limit_passes_under_concurrency_across_processes(config: AppConfig) -> None:
    # Two app instances with their own Redis clients and limiters stand in for two processes.
    async with limited_app(config) as first, limited_app(config) as second:
        requests = [client.get(LIMITED) for client in (first, second) for _ in range(25)]
        statuses = [response.status_code for response in await asyncio.gather(*requests)]
    assert statuses.count(200) == 10
    assert statuses.count(429) == 40


async def test_429_is_a_problem_with_rate_limit_headers(config: AppConfig) -> None:
    async with limited_app(config) as client:
        for _ in range(10):
            assert (await client.get(LIMITED)).status_code == 200
        response = await client.get(LIMITED)
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "too_many_requests"
    retry_after = int(response.headers["retry-after"])
    assert 55 <= retry_after <= 60
    assert response.headers["ratelimit-policy"] == '"default";q=10;w=60'
    assert response.headers["ratelimit"] == f'"default";r=0;t={retry_after}'


async def test_clients_have_their_own_counters(config: AppConfig) -> None:
    async with limited_app(config, peer="10.1.1.1") as first, limited_app(config, peer="10.1.1.2") as second:
        for _ in range(10):
            await first.get(LIMITED)
        assert (await first.get(LIMITED)).status_code == 429
        assert (await second.get(LIMITED)).status_code == 200


async def test_forwarded_for_from_an_untrusted_peer_does_not_change_the_key(config: AppConfig) -> None:
    async with limited_app(config, peer="203.0.113.7") as client:
        for index in range(10):
            await client.get(LIMITED, headers={"X-Forwarded-For": f"198.51.100.{index}"})
        spoofed = await client.get(LIMITED, headers={"X-Forwarded-For": "198.51.100.99"})
    assert spoofed.status_code == 429


async def test_forwarded_for_from_a_trusted_proxy_names_the_client(config: AppConfig) -> None:
    async with limited_app(config, peer="10.0.0.5", TRUSTED_PROXIES=[IPv4Network("10.0.0.0/8")]) as client:
        for _ in range(10):
            await client.get(LIMITED, headers={"X-Forwarded-For": "198.51.100.1"})
        same_client = await client.get(LIMITED, headers={"X-Forwarded-For": "198.51.100.1"})
        # The client can prepend anything; the proxy appends the real address, read right to left.
        other_client = await client.get(LIMITED, headers={"X-Forwarded-For": "198.51.100.1, 198.51.100.2"})
    assert same_client.status_code == 429
    assert other_client.status_code == 200


async def test_user_key(config: AppConfig) -> None:
    async with limited_app(config) as client:
        url = f"{LIMITED}/user"
        assert [(await client.get(url, headers={"X-User": "ann"})).status_code for _ in range(3)] == [
            200,
            200,
            429,
        ]
        assert (await client.get(url, headers={"X-User": "bob"})).status_code == 200


async def test_disabled_by_config(config: AppConfig) -> None:
    async with limited_app(config, RATE_LIMITER_ENABLED=False) as client:
        statuses = {(await client.get(LIMITED)).status_code for _ in range(15)}
    assert statuses == {200}


async def test_redis_down_fails_open_or_closed_as_declared(config: AppConfig) -> None:
    down = f"redis://127.0.0.1:{closed_port()}/0"
    async with limited_app(config, REDIS_URL=down, REDIS_TIMEOUT=0.5) as client:
        open_route = await client.get(LIMITED)
        closed_route = await client.get(f"{LIMITED}/closed")
    assert open_route.status_code == 200
    assert closed_route.status_code == 503
    assert closed_route.headers["content-type"] == "application/problem+json"
    assert closed_route.headers["retry-after"] == "5"
