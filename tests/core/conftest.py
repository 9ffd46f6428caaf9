"""Fixtures of the tests that run real workers: a run id that tags what a test creates, so that
the rows it leaves behind (widgets, outbox messages) can be found and removed afterwards."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import Text, cast, delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.core.outbox import OutboxMessage
from tests.example import Widget


@pytest.fixture
def run_id() -> str:
    return uuid.uuid4().hex[:12]


@pytest.fixture
async def cleanup(engine: AsyncEngine, run_id: str) -> AsyncIterator[None]:
    yield
    async with engine.begin() as connection:
        await connection.execute(delete(Widget).where(Widget.name.startswith(run_id)))
        await connection.execute(
            delete(OutboxMessage).where(cast(OutboxMessage.payload, Text).contains(run_id))
        )
