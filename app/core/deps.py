"""The platform, as FastAPI dependencies.

A module builds its services from the request's platform with the functions its tasks, listeners
and CLI commands call, wrapped by `provide`::

    ItemServiceDep = Annotated[ItemService, Depends(provide(item_service))]

The single-service aliases (`DBSession`, `EventsService`, `QueueService`, `MailService`,
`CacheService`, ...) come from the same platform, for routes that need one of them directly.
Everything built per request shares the request's unit of work: queued tasks, emails and events
are released only after it commits.
"""

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any, TypeVar

from fastapi import Depends
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from app.core.cache import CacheServiceInterface, cached
from app.core.config import AppConfig
from app.core.db import UnitOfWork
from app.core.events.service import EventsServiceInterface
from app.core.limiter import ConfigurableRateLimiter
from app.core.limiter.identity import client_address
from app.core.log import bound_context, logger
from app.core.mail.service import MailServiceInterface
from app.core.platform import Platform
from app.core.queue.service import QueueServiceInterface
from app.core.request_info import RequestInfo
from app.core.resources import Resources

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def resources_of(connection: HTTPConnection) -> Resources:
    """The process's resources, set on every request's state by the lifespan."""
    resources: Resources = connection.state.resources
    return resources


# Every provider is a coroutine: FastAPI runs plain `def` dependencies in a thread pool, a thread
# hop each on every request.
async def get_resources(connection: HTTPConnection) -> Resources:
    return resources_of(connection)


ResourcesDep = Annotated[Resources, Depends(get_resources)]


async def get_config(resources: ResourcesDep) -> AppConfig:
    return resources.config


# Reads the resources itself rather than through ResourcesDep: one node less in the dependency
# tree of every signed-in route (FastAPI walks each node on every request).
async def get_session_factory(connection: HTTPConnection) -> async_sessionmaker[AsyncSession]:
    return resources_of(connection).session_factory


# Reads the resources itself rather than through get_session_factory: FastAPI walks every node of
# a route's dependency tree on each request (cached nodes included), and this one is under nearly
# every route, often twice.
async def get_unit_of_work(connection: HTTPConnection) -> AsyncIterator[UnitOfWork]:
    resources = resources_of(connection)
    if is_safe(connection):
        unit_of_work = UnitOfWork(resources.read_only_session_factory, read_only=True)
    else:
        unit_of_work = UnitOfWork(resources.session_factory)
    async with unit_of_work:
        yield unit_of_work


def is_safe(connection: HTTPConnection) -> bool:
    """Safe HTTP methods change nothing (RFC 9110 9.2.1): their requests get read-only units of
    work. A WebSocket has no method: its handlers may write."""
    return connection.scope.get("method") in SAFE_METHODS


# scope="function": the unit of work commits when the endpoint returns, before the response is
# sent, so a failed commit becomes an error response instead of a 200 for a lost write.
UoW = Annotated[UnitOfWork, Depends(get_unit_of_work, scope="function")]


def request_info(connection: HTTPConnection, config: AppConfig) -> RequestInfo:
    """Who sent the request: its client address exactly as the rate limiter counts it
    (X-Forwarded-For only from TRUSTED_PROXIES), its User-Agent and its request id."""
    address = client_address(connection, config.TRUSTED_PROXIES)
    return RequestInfo(
        client_address=None if address == "unknown" else address,
        user_agent=connection.headers.get("user-agent"),
        request_id=bound_context().get("request_id"),
    )


async def get_platform(unit_of_work: UoW, connection: HTTPConnection) -> Platform:
    resources = resources_of(connection)
    return Platform.build(resources, unit_of_work, request_info(connection, resources.config))


# The request's platform: built once per request, whatever number of services use it.
PlatformDep = Annotated[Platform, Depends(get_platform)]

ServiceT = TypeVar("ServiceT")
_providers: dict[Callable[[Platform], Any], Callable[[Platform], Awaitable[Any]]] = {}


def provide(build: Callable[[Platform], ServiceT]) -> Callable[[Platform], Awaitable[ServiceT]]:
    """The request dependency for a module's service-building function, the same function its
    tasks, listeners and CLI commands call::

        UserServiceDep = Annotated[UserService, Depends(provide(user_service))]

    One dependency per function (FastAPI then builds a service once per request, however many
    dependencies ask for it)."""
    provider = _providers.get(build)
    if provider is None:
        provider = _providers[build] = _provider(build)
    return provider


def _provider(build: Callable[[Platform], ServiceT]) -> Callable[[Platform], Awaitable[ServiceT]]:
    async def provider(platform: PlatformDep) -> ServiceT:
        return build(platform)

    provider.__name__ = provider.__qualname__ = f"provide_{build.__name__}"
    return provider


async def get_db_session(unit_of_work: UoW) -> AsyncSession:
    return unit_of_work.session


async def get_redis(resources: ResourcesDep) -> Redis:
    return resources.redis


async def get_cache(resources: ResourcesDep) -> CacheServiceInterface:
    return resources.cache


async def get_queue_service(platform: PlatformDep) -> QueueServiceInterface:
    return platform.queue


async def get_events_service(platform: PlatformDep) -> EventsServiceInterface:
    return platform.events


async def get_mail_service(platform: PlatformDep) -> MailServiceInterface:
    return platform.mail


Config = Annotated[AppConfig, Depends(get_config)]
DBSession = Annotated[AsyncSession, Depends(get_db_session)]
RedisClient = Annotated[Redis, Depends(get_redis)]
CacheService = Annotated[CacheServiceInterface, Depends(get_cache)]
QueueService = Annotated[QueueServiceInterface, Depends(get_queue_service)]
EventsService = Annotated[EventsServiceInterface, Depends(get_events_service)]
MailService = Annotated[MailServiceInterface, Depends(get_mail_service)]

__all__ = [
    "CacheService",
    "Config",
    "ConfigurableRateLimiter",
    "DBSession",
    "EventsService",
    "MailService",
    "Platform",
    "PlatformDep",
    "QueueService",
    "RedisClient",
    "UoW",
    "cached",
    "get_unit_of_work",
    "is_safe",
    "logger",
    "provide",
    "request_info",
    "resources_of",
]
