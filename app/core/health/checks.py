"""Readiness probes of the services the API cannot work without."""

import asyncio
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

Check = Callable[[], Awaitable[object]]


def database_check(engine: AsyncEngine) -> Check:
    async def check() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))

    return check


def redis_check(redis: Redis) -> Check:
    async def check() -> None:
        await redis.ping()

    return check


async def run_checks(checks: dict[str, Check], seconds: float) -> dict[str, str]:
    """Run all checks concurrently; each reports "ok" or "unavailable" within `seconds`."""

    async def run(check: Check) -> str:
        try:
            async with asyncio.timeout(seconds):
                await check()
        except Exception:
            return "unavailable"
        return "ok"

    results = await asyncio.gather(*(run(check) for check in checks.values()))
    return dict(zip(checks, results, strict=True))
