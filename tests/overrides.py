"""Dependency overrides the tests install on the app."""

from collections.abc import AsyncIterator, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import UnitOfWork


def units_of_work_from(
    session_factory: async_sessionmaker[AsyncSession],
) -> Callable[[], AsyncIterator[UnitOfWork]]:
    """A replacement for `get_unit_of_work` whose units of work open sessions from `session_factory`."""

    async def get_unit_of_work() -> AsyncIterator[UnitOfWork]:
        async with UnitOfWork(session_factory) as unit_of_work:
            yield unit_of_work

    return get_unit_of_work
