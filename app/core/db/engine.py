"""Engine and session factory, built once per process from AppConfig."""

from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from app.core.config import AppConfig
from app.core.db.direct import DIRECT_READER, direct_reader_for
from app.core.db.liveness import install_liveness_check

# Raised when every pooled connection stays busy for DATABASE_POOL_TIMEOUT: code outside the
# database layer (routes, the WebSocket) catches it by this name, without importing SQLAlchemy.
__all__ = ["PoolTimeout", "create_engine", "create_session_factory"]


def create_engine(config: AppConfig, *, read_only: bool = False) -> AsyncEngine:
    """The engine of units of work, or with `read_only=True` the engine of read-only ones: its own
    pool of autocommit connections, so a read sends its SELECTs alone, without BEGIN and COMMIT
    (one round trip instead of three for a one-row read). A pool of its own rather than switching
    pooled connections to autocommit per checkout, which costs back most of what it saves."""
    engine = create_async_engine(
        config.DATABASE_URL,
        pool_size=config.DATABASE_READ_POOL_SIZE if read_only else config.DATABASE_POOL_SIZE,
        max_overflow=config.DATABASE_READ_MAX_OVERFLOW if read_only else config.DATABASE_MAX_OVERFLOW,
        pool_timeout=config.DATABASE_POOL_TIMEOUT,
        pool_recycle=config.DATABASE_POOL_RECYCLE,
        echo=config.DATABASE_ECHO,
        connect_args={"application_name": config.DATABASE_APPLICATION_NAME},
        isolation_level="AUTOCOMMIT" if read_only else None,
        # An autocommit connection holds no transaction to roll back when it returns to the pool.
        pool_reset_on_return=None if read_only else "rollback",
    )
    # Turns a connection killed under us (restart, failover, idle timeout) into a transparent
    # reconnect instead of an error on the next request, without pre-ping's round trip.
    install_liveness_check(engine, ping_after=config.DATABASE_PING_AFTER)
    return engine


# In the info of sessions whose engine's connections are autocommit (`create_engine(read_only=True)`).
AUTOCOMMIT = "autocommit_connections"


def create_session_factory(
    engine: AsyncEngine, *, autocommit: bool = False
) -> async_sessionmaker[AsyncSession]:
    """`autocommit`: the engine's connections are (`create_engine(read_only=True)`); its sessions
    then end by closing, with nothing to commit."""
    info: dict[str, object] = {AUTOCOMMIT: autocommit}
    if autocommit and not engine.echo:
        # Read-only units of work on these sessions send their repositories' SELECTs directly
        # (not when SQL is echoed: only the session logs it).
        info[DIRECT_READER] = direct_reader_for(engine)
    # expire_on_commit=False: objects stay readable after the unit of work commits, which happens
    # before the response model is built.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False, info=info)
