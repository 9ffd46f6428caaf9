"""The cache against the real Redis (test DB index), and with Redis unreachable."""

import asyncio
import io

import httpx
import pytest
from pydantic import BaseModel
from redis.asyncio import Redis

from app.core.cache import RedisCacheService, cached, invalidate, invalidate_namespace
from app.core.resources import Resources
from tests.core.health.test_health import closed_port
from tests.example import platform_routes
from tests.logs import records


@pytest.fixture
def cache(redis: Redis) -> RedisCacheService:
    return RedisCacheService(redis, prefix="cache-test", version="1", default_ttl=60)


async def test_miss_set_hit_delete(cache: RedisCacheService) -> None:
    assert await cache.get("user:1") is None
    await cache.set("user:1", {"name": "ann", "roles": ["admin"]})
    assert await cache.get("user:1") == {"name": "ann", "roles": ["admin"]}
    assert await cache.exists("user:1")
    await cache.delete("user:1")
    assert await cache.get("user:1") is None
    assert not await cache.exists("user:1")


async def test_values_are_json_not_pickle(cache: RedisCacheService, redis: Redis) -> None:
    await cache.set("k", {"a": 1}, namespace="json")
    assert await redis.get("cache-test:1:json:k") == b'{"a":1}'
    with pytest.raises(TypeError):
        await cache.set("k", object())


async def test_expiry(cache: RedisCacheService) -> None:
    await cache.set("short", "lived", ttl=1)
    remaining = await cache.ttl("short")
    assert remaining is not None
    assert 0 < remaining <= 1
    await asyncio.sleep(1.1)
    assert await cache.get("short") is None
    assert await cache.ttl("short") is None


async def test_clear_a_namespace_only(cache: RedisCacheService) -> None:
    for index in range(3):
        await cache.set(str(index), index, namespace="users")
    await cache.set("0", "kept", namespace="orders")
    assert await cache.clear("users") == 3
    assert await cache.get("1", namespace="users") is None
    assert await cache.get("0", namespace="orders") == "kept"


async def test_version_bump_drops_everything(cache: RedisCacheService, redis: Redis) -> None:
    await cache.set("k", 1)
    bumped = RedisCacheService(redis, prefix="cache-test", version="2", default_ttl=60)
    assert await bumped.get("k") is None


async def test_redis_down_degrades_to_misses_and_logs_once(log_lines: io.StringIO) -> None:
    down = Redis.from_url(f"redis://127.0.0.1:{closed_port()}/0", socket_connect_timeout=0.5)
    cache = RedisCacheService(down, prefix="c", version="1", default_ttl=60, error_log_interval=60)
    await cache.set("k", 1)
    assert await cache.get("k") is None
    assert not await cache.exists("k")
    assert await cache.clear() == 0
    warnings = [r for r in records(log_lines) if r.get("event") == "cache unavailable, degrading to misses"]
    assert len(warnings) == 1
    await down.aclose()


class Profile(BaseModel):
    id: int
    name: str


class ProfileService:
    def __init__(self) -> None:
        self.loads = 0

    @cached(ttl=60, namespace="profiles", key_builder=lambda self, user_id: str(user_id))
    async def get(self, user_id: int) -> Profile:
        self.loads += 1
        return Profile(id=user_id, name=f"user {user_id}")


@pytest.mark.usefixtures("resources")
async def test_cached_service_method_returns_its_type_from_cache() -> None:
    service = ProfileService()
    first = await service.get(1)
    second = await service.get(1)
    assert first == second == Profile(id=1, name="user 1")
    assert isinstance(second, Profile)
    assert service.loads == 1

    await invalidate("profiles", "1")
    await service.get(1)
    assert service.loads == 2
    assert await invalidate_namespace("profiles") == 1


async def test_cached_path_operation(client: httpx.AsyncClient, resources: Resources) -> None:
    before = platform_routes.calls["cached"]
    first = (await client.get("/api/v1/widgets/platform/cached/5")).json()
    second = (await client.get("/api/v1/widgets/platform/cached/5")).json()
    other = (await client.get("/api/v1/widgets/platform/cached/6")).json()
    assert first == second == {"key": 5, "calls": before + 1}
    assert other["calls"] == before + 2
    assert await resources.cache.ttl("5", namespace="example") is not None
