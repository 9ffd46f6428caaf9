"""Checking a pooled connection before use without a round trip on the hot path.

SQLAlchemy's `pool_pre_ping` sends `SELECT 1` on every checkout: one extra round trip per request,
about a fifth of a simple authenticated GET. A connection the server has closed (restart,
failover, `pg_terminate_backend`, idle timeout) has, in almost every case, a readable socket
already: the FATAL message and the FIN are waiting in it. An idle, healthy connection has nothing
to read. So a checkout first polls the socket without blocking, which costs a system call, and
only sends a real ping when the connection sat unused for longer than `ping_after` seconds, to
catch the rare dead peer that sent nothing (a network partition). Go's MySQL driver checks
liveness the same way.

The ping is the dialect's public `do_ping`, and `is_disconnect` tells a lost connection (replaced
by the pool) from any other error (raised to the caller), as the pool's own pre-ping does.
"""

import select
import time
from typing import Any

from sqlalchemy import event, exc
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

_CHECKED_IN_AT = "checked_in_at"


def _socket_has_data(driver_connection: Any) -> bool:
    try:
        descriptor = driver_connection.fileno()
    except Exception:  # closed by the driver already
        return True
    readable, _, _ = select.select([descriptor], [], [], 0)
    return bool(readable)


def install_liveness_check(engine: AsyncEngine, ping_after: float) -> None:
    sync_engine = engine.sync_engine
    dialect = sync_engine.dialect

    @event.listens_for(sync_engine, "checkin")
    def _remember_checkin(_: DBAPIConnection | None, record: ConnectionPoolEntry) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(sync_engine, "checkout")
    def _check_alive(
        dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _: PoolProxiedConnection
    ) -> None:
        checked_in_at = record.info.get(_CHECKED_IN_AT)
        if checked_in_at is None:  # brand new: just connected
            return
        if _socket_has_data(record.driver_connection):
            # The pool discards this connection and checks out (or opens) another.
            raise exc.DisconnectionError("the server closed the connection")
        if time.monotonic() - checked_in_at > ping_after:
            _ping(dialect, dbapi_connection)


def _ping(dialect: Dialect, dbapi_connection: DBAPIConnection) -> None:
    try:
        dialect.do_ping(dbapi_connection)
    except dialect.loaded_dbapi.Error as error:
        if dialect.is_disconnect(error, dbapi_connection, None):
            raise exc.DisconnectionError("the connection did not answer a ping") from error
        raise
