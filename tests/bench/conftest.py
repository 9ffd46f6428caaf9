"""Fixtures of the benchmark's tests: the bench app, served in process."""

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from asgi_lifespan import LifespanManager

from app.core.config import AppConfig
from bench.app import create_bench_app


@pytest.fixture
async def bench_client(app_config: AppConfig) -> AsyncIterator[httpx.AsyncClient]:
    """The bench app on the real database: the twins read through a pool of their own, outside
    any test transaction, so these tests use committed users."""
    application = create_bench_app(app_config)
    async with LifespanManager(application) as manager:
        transport = httpx.ASGITransport(app=manager.app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http


@pytest.fixture
def prefix() -> str:
    return f"tw{uuid.uuid4().hex[:8]}"
