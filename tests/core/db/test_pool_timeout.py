"""Every database connection busy: a request that waits DATABASE_POOL_TIMEOUT for one in vain is
told to come back (503 with Retry-After), not that the server broke (500)."""

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.config import AppConfig
from tests.core.api.test_problems import assert_problem
from tests.processes import api

TINY_POOLS = {
    "DATABASE_POOL_SIZE": 1,
    "DATABASE_MAX_OVERFLOW": 0,
    "DATABASE_READ_POOL_SIZE": 1,
    "DATABASE_READ_MAX_OVERFLOW": 0,
    "DATABASE_POOL_TIMEOUT": 0.2,
}


# The write route flushes a row, then fails on purpose: it needs a connection and commits nothing
# (these requests run in real transactions, outside the tests' rollback).
@pytest.mark.parametrize(
    ("method", "path", "pool", "status_when_free"),
    [("POST", "/api/v1/widgets/fail-after-flush", "write", 404), ("GET", "/api/v1/widgets", "read", 200)],
)
async def test_a_pool_timeout_is_a_503_with_retry_after(
    app_config: AppConfig, engine: AsyncEngine, method: str, path: str, pool: str, status_when_free: int
) -> None:
    del engine  # migrated, with the example module's tables
    async with api(app_config.model_copy(update=TINY_POOLS)) as (client, resources):
        busy = resources.engine if pool == "write" else resources.read_engine
        async with busy.connect():  # the pool's only connection, held for the whole request
            response = await client.request(method, path, json={"name": "busy", "price": 1})
        assert_problem(response, 503, "service_busy")
        assert int(response.headers["retry-after"]) > 0
        # Once a connection is free again, the same request works.
        response = await client.request(method, path, json={"name": "free", "price": 1})
        assert response.status_code == status_when_free, response.text
