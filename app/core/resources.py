"""Process-wide clients (database engine, Redis), opened by the lifespan and closed at shutdown."""

from dataclasses import dataclass

from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from app.core.config import AppConfig
from app.core.db import create_engine, create_session_factory


def create_redis(config: AppConfig) -> Redis:
    return Redis.from_url(
        config.REDIS_URL,
        socket_connect_timeout=config.REDIS_TIMEOUT,
        socket_timeout=config.REDIS_TIMEOUT,
        health_check_interval=30,
    )


@dataclass(frozen=True, slots=True)
class Resources:
    config: AppConfig
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    redis: Redis

    @classmethod
    def open(cls, config: AppConfig) -> "Resources":
        # Nothing connects here: pools connect lazily, so the API starts even while a backing
        # service is still coming up, and readiness reports it.
        engine = create_engine(config)
        return cls(config, engine, create_session_factory(engine), create_redis(config))

    async def close(self) -> None:
        await self.redis.aclose()
        await self.engine.dispose()
