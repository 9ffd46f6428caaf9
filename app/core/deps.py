"""The platform, as FastAPI dependencies. Modules use these aliases in routes and providers::

async def create_item(session: DBSession, config: Config) -> ...
"""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.log import logger
from app.core.resources import Resources


def get_resources(connection: HTTPConnection) -> Resources:
    resources: Resources = connection.state.resources
    return resources


def get_config(resources: Annotated[Resources, Depends(get_resources)]) -> AppConfig:
    return resources.config


def get_session_factory(
    resources: Annotated[Resources, Depends(get_resources)],
) -> async_sessionmaker[AsyncSession]:
    return resources.session_factory


async def get_unit_of_work(
    session_factory: Annotated[async_sessionmaker[AsyncSession], Depends(get_session_factory)],
) -> AsyncIterator[UnitOfWork]:
    async with UnitOfWork(session_factory) as unit_of_work:
        yield unit_of_work


def get_db_session(
    unit_of_work: Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")],
) -> AsyncSession:
    return unit_of_work.session


def get_redis(resources: Annotated[Resources, Depends(get_resources)]) -> Redis:
    return resources.redis


Config = Annotated[AppConfig, Depends(get_config)]
# scope="function": the unit of work commits when the endpoint returns, before the response is
# sent, so a failed commit becomes an error response instead of a 200 for a lost write.
UoW = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]
DBSession = Annotated[AsyncSession, Depends(get_db_session)]
RedisClient = Annotated[Redis, Depends(get_redis)]

__all__ = ["Config", "DBSession", "RedisClient", "UoW", "get_unit_of_work", "logger"]
