"""A unit of work that opens its transaction on a connection before anything else runs in it.

For work whose first statement is fixed and hot: a worker's claim of an outbox message, sent on
every task. `fetch_one` sends such a statement on the driver's connection, inside the unit of
work's transaction, through the engine's direct reader (app.core.db.direct: compiled once, none
of SQLAlchemy's execution path, which costs more than the round trip itself). The ORM session is
created only if the work uses it, bound to the same connection, so whatever it writes commits or
rolls back with that first statement. A task that never touches the session (an email, a call to
another service) pays for one connection, its statement and the commit.

On a pooled connection the driver begins the transaction with the first statement and the unit
of work commits it on the driver, unless the session's commit (on that same connection) already
has. On a connection already in a transaction (the tests' connection, shared by every unit of
work of a test) the unit of work is a savepoint instead.
"""

from collections.abc import Mapping
from typing import Any, Self

from psycopg.pq import TransactionStatus
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    AsyncTransaction,
    async_sessionmaker,
)
from sqlalchemy.pool import PoolProxiedConnection

from app.core.db.direct import DirectReader, Statement, direct_reader_for
from app.core.db.unit_of_work import UnitOfWork


class ConnectionUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(session_factory)
        self._connection: AsyncConnection | None = None
        self._raw: PoolProxiedConnection | None = None
        self._driver: Any = None
        self._reader: DirectReader | None = None
        # Only on a connection shared with other units of work (the tests'): a savepoint.
        self._savepoint: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        bind = self._session_factory.kw.get("bind")
        if isinstance(bind, AsyncEngine):
            # The driver begins the transaction with the first statement, as it would under the
            # session; the session, bound to this connection, begins its own on it and commits
            # it (the driver's COMMIT ends the whole transaction).
            connection = self._connection = await bind.connect()
        elif isinstance(bind, AsyncConnection):
            connection = bind
            self._savepoint = await bind.begin_nested()
        else:
            raise TypeError(f"the session factory is bound to neither an engine nor a connection: {bind!r}")
        try:
            self._reader = direct_reader_for(connection.engine)
            self._raw = await connection.get_raw_connection()
            self._driver = self._raw.driver_connection
        except BaseException:
            await self._release_connection()
            raise
        return await super().__aenter__()

    async def commit(self) -> None:
        # PostgreSQL answers COMMIT on a failed transaction with a rollback: a statement that
        # failed (and that the work caught) must not let the claim look committed, nor release
        # the side effects.
        if self._driver is not None and self._driver.info.transaction_status == TransactionStatus.INERROR:
            raise RuntimeError("a statement of the transaction failed: it cannot commit")
        await super().commit()

    async def end_read_transaction(self) -> None:
        # Its transaction holds the claim of the work (a task's outbox row): ending it early
        # would commit the claim before the work is done, and a failure after it would be lost.
        raise RuntimeError("a connection unit of work ends its transaction at its boundary only")

    async def fetch_one(self, statement: Statement, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run `statement` with `parameters` (its bind parameters by name) in this unit of work's
        transaction, on the driver's connection; its first row, or None. A statement the direct
        reader cannot send as it is (a column default or onupdate computed in Python, such as
        `updated_at`, an expanding IN) is refused: set such values in the statement. Build the
        statement once and keep it (a module constant): it is compiled once, found by identity."""
        if self._reader is None or self._raw is None:
            raise RuntimeError("the unit of work is not open; use `async with ConnectionUnitOfWork(...)`")
        prepared = self._reader.prepare(statement, parameters, static=True)
        if prepared is None:
            raise ValueError(f"needs SQLAlchemy's execution (set Python-side defaults in it): {statement}")
        rows = await self._reader.execute(self._raw, *prepared)
        return tuple(rows[0]) if rows else None

    def _create_session(self) -> AsyncSession:
        # On the shared connection the factory's own binding applies (a savepoint per session).
        if self._connection is None:
            return self._session_factory()
        return self._session_factory(bind=self._connection)

    async def _commit_connection(self) -> None:
        if self._savepoint is not None:
            if self._savepoint.is_active:
                await self._savepoint.commit()
            return
        # Still open when the session did not run (or was never created): the claim's alone.
        status = self._driver.info.transaction_status
        if status == TransactionStatus.INERROR:
            raise RuntimeError("a statement of the transaction failed: it cannot commit")
        if status != TransactionStatus.IDLE:
            await self._driver.commit()

    async def _rollback_connection(self) -> None:
        if self._savepoint is not None:
            if self._savepoint.is_active:
                await self._savepoint.rollback()
            return
        driver = self._driver
        if driver is None or driver.closed:  # cut off mid-statement (cancelled, lost): nothing to undo
            return
        if driver.info.transaction_status in (TransactionStatus.INTRANS, TransactionStatus.INERROR):
            try:
                await driver.rollback()
            except Exception:
                # The error being handled is what the caller must see; the pool must not get
                # this connection back.
                if self._connection is not None:
                    await self._connection.invalidate()

    async def _release_connection(self) -> None:
        connection, savepoint = self._connection, self._savepoint
        self._connection = self._savepoint = None
        self._raw = self._driver = self._reader = None
        if savepoint is not None and savepoint.is_active:  # the commit failed: undo what it held
            await savepoint.rollback()
        if connection is not None:
            # A transaction still open here (the commit failed) is rolled back by the pool.
            await connection.close()
