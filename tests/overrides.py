"""Dependency overrides the tests install on the app."""

from collections.abc import AsyncIterator, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.core.db import UnitOfWork
from app.core.deps import is_safe


def units_of_work_from(
    session_factory: async_sessionmaker[AsyncSession],
) -> Callable[[HTTPConnection], AsyncIterator[UnitOfWork]]:
    """A replacement for `get_unit_of_work` whose units of work open sessions from
    `session_factory` (the test's transaction), read-only for safe methods as in the app."""

    async def get_unit_of_work(connection: HTTPConnection) -> AsyncIterator[UnitOfWork]:
        async with UnitOfWork(session_factory, read_only=is_safe(connection)) as unit_of_work:
            yield unit_of_work

    return get_unit_of_work
