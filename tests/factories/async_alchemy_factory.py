"""factory_boy for async SQLAlchemy sessions.

factory_boy is synchronous, so factories build objects on the test AsyncSession's `sync_session`
without persisting, and `create_async` flushes through the async session.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Generic, TypeVar

import factory
from sqlalchemy.ext.asyncio import AsyncSession

T = TypeVar("T")
_current: list[AsyncSession] = []


def _sync_session() -> Any:
    if not _current:
        raise RuntimeError("factories need the db_session fixture")
    return _current[-1].sync_session


@asynccontextmanager
async def bind_factories(session: AsyncSession) -> AsyncIterator[None]:
    _current.append(session)
    try:
        yield
    finally:
        _current.remove(session)


class AsyncSQLAlchemyModelFactory(factory.alchemy.SQLAlchemyModelFactory, Generic[T]):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = _sync_session
        sqlalchemy_session_persistence = None

    @classmethod
    async def create_async(cls, **kwargs: Any) -> T:
        instance: T = cls.create(**kwargs)
        await _current[-1].flush()
        return instance

    @classmethod
    async def create_batch_async(cls, size: int, **kwargs: Any) -> list[T]:
        instances: list[T] = cls.create_batch(size, **kwargs)
        await _current[-1].flush()
        return instances
