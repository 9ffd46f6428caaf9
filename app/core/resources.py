"""Process-wide clients, opened at startup (API lifespan, worker startup) and closed at shutdown.

Started resources are also this process's current ones (`current_resources()`): what code outside
a request uses (tasks run by the broker, `platform_context()`). A stack, so several apps in one
test process do not clobber each other."""

from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.cache import RedisCacheService, activate_cache, deactivate_cache
from app.core.config import AppConfig, BaseConfig, ModuleSettings
from app.core.db import create_engine, create_session_factory
from app.core.log import logger
from app.core.mail.backends import MailBackend, create_backend
from app.core.outbox.publisher import Publisher, TaskSender
from app.core.registry import Registry

SettingsT = TypeVar("SettingsT", bound=BaseConfig)

if TYPE_CHECKING:
    # Imported only where a taskiq broker is built (the worker, QUEUE_BROKER=memory): taskiq's
    # package pulls in aiohttp, which would otherwise be a third of an API process's memory.
    from taskiq import AsyncBroker

_current: list["Resources"] = []


def current_resources() -> "Resources":
    if not _current:
        raise RuntimeError("no runtime: the app lifespan or the worker sets it at startup")
    return _current[-1]


def push_current(resources: "Resources") -> None:
    _current.append(resources)
    activate_cache(resources.cache)


def pop_current(resources: "Resources") -> None:
    if resources in _current:
        _current.remove(resources)
        deactivate_cache(resources.cache)


def create_redis(config: AppConfig) -> Redis:
    return Redis.from_url(
        config.REDIS_URL,
        socket_connect_timeout=config.REDIS_TIMEOUT,
        socket_timeout=config.REDIS_TIMEOUT,
        health_check_interval=30,
    )


def create_cache(config: AppConfig, redis: Redis) -> RedisCacheService:
    return RedisCacheService(
        redis,
        prefix=config.CACHE_PREFIX,
        version=config.CACHE_VERSION,
        default_ttl=config.CACHE_DEFAULT_TTL,
        enabled=config.CACHE_ENABLED,
        error_log_interval=config.CACHE_ERROR_LOG_INTERVAL,
    )


@dataclass(frozen=True, slots=True)
class Resources:
    config: AppConfig
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    # Read-only units of work (safe HTTP methods): autocommit connections from a pool of their own.
    read_engine: AsyncEngine
    read_only_session_factory: async_sessionmaker[AsyncSession]
    redis: Redis
    cache: RedisCacheService
    # The worker's broker, or the in-memory one (QUEUE_BROKER=memory); None in a process that only
    # publishes to the workers' Redis stream (the API, the CLI), which does not load taskiq.
    broker: "AsyncBroker | None"
    publisher: Publisher
    mail_backend: MailBackend
    # The installed modules' tasks and listeners.
    registry: Registry
    # The installed modules' settings (create_app's, else the environment's).
    module_settings: ModuleSettings

    @classmethod
    def open(
        cls,
        config: AppConfig,
        registry: Registry,
        broker: "AsyncBroker | None",
        sender: TaskSender,
        module_settings: ModuleSettings | None = None,
    ) -> "Resources":
        """`broker` and `sender`: built for `registry` (by app.core.runtime.open_resources)."""
        # Nothing connects here: pools connect lazily, so a process starts while a backing
        # service is still coming up, and readiness reports it.
        engine = create_engine(config)
        read_engine = create_engine(config, read_only=True)
        redis = create_redis(config)
        return cls(
            config=config,
            engine=engine,
            session_factory=create_session_factory(engine),
            read_engine=read_engine,
            read_only_session_factory=create_session_factory(read_engine, autocommit=True),
            redis=redis,
            cache=create_cache(config, redis),
            broker=broker,
            publisher=Publisher(sender),
            mail_backend=create_backend(config),
            registry=registry,
            module_settings=module_settings or ModuleSettings(config),
        )

    def settings(self, settings_class: type[SettingsT]) -> SettingsT:
        """An installed module's settings: the ones the app was given, else the environment's."""
        return self.module_settings.get(settings_class)

    async def start(self) -> None:
        """Get ready to publish. A broker that is down does not stop the process: messages wait
        in the outbox and the relay publishes them once it is back."""
        push_current(self)
        try:
            await self.publisher.sender.start()
        except (RedisError, OSError) as error:
            logger.warning("broker unavailable at startup; messages wait in the outbox", error=repr(error))

    async def close(self) -> None:
        pop_current(self)
        try:
            await self.publisher.sender.close()
        except (RedisError, OSError) as error:
            logger.warning("broker shutdown failed", error=repr(error))
        await self.redis.aclose()
        await self.engine.dispose()
        await self.read_engine.dispose()
