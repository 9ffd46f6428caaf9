"""Engine and session factory, built once per process from AppConfig."""

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import AppConfig
from app.core.db.liveness import install_liveness_check


def create_engine(config: AppConfig) -> AsyncEngine:
    engine = create_async_engine(
        config.DATABASE_URL,
        pool_size=config.DATABASE_POOL_SIZE,
        max_overflow=config.DATABASE_MAX_OVERFLOW,
        pool_timeout=config.DATABASE_POOL_TIMEOUT,
        pool_recycle=config.DATABASE_POOL_RECYCLE,
        echo=config.DATABASE_ECHO,
        connect_args={"application_name": config.DATABASE_APPLICATION_NAME},
    )
    # Turns a connection killed under us (restart, failover, idle timeout) into a transparent
    # reconnect instead of an error on the next request, without pre-ping's round trip.
    install_liveness_check(engine, ping_after=config.DATABASE_PING_AFTER)
    return engine


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects stay readable after the unit of work commits, which happens
    # before the response model is built.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
