"""Each test runs in a transaction that is rolled back, even when the code under test commits.

The two tests run in file order: the first writes (and commits through the API), the second
proves nothing of it is left.
"""

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from tests.example import Widget

NAME = "isolation-probe"


async def test_1_write_and_commit(client: httpx.AsyncClient, db_session: AsyncSession) -> None:
    response = await client.post("/api/v1/widgets", json={"name": NAME})
    assert response.status_code == 201
    db_session.add(Widget(name=f"{NAME}-direct"))
    await db_session.commit()
    found = await db_session.scalars(select(Widget.name).where(Widget.name.startswith(NAME)))
    assert sorted(found) == [NAME, f"{NAME}-direct"]


async def test_2_nothing_is_left(db_session: AsyncSession) -> None:
    found = await db_session.scalars(select(Widget.name).where(Widget.name.startswith(NAME)))
    assert list(found) == []
