"""A unit of work that opens its transaction on a connection before anything else runs in it.

For work whose first statement is fixed and hot: a worker's claim of an outbox message, sent on
every task. `fetch_one` sends such a statement as SQL text straight to the driver's connection,
inside the unit of work's transaction: none of SQLAlchemy's execution path (statement cache,
execution context, result, the greenlet hop), which costs more than the round trip itself. The
ORM session is created only if the work uses it, bound to the same connection, so whatever it
writes commits or rolls back with that first statement. A task that never touches the session
(an email, a call to another service) pays for one connection, its statement and the commit.

On a pooled connection the driver begins the transaction with the first statement and the unit
of work commits it on the driver, unless the session's commit (on that same connection) already
has. On a connection already in a transaction (the tests' connection, shared by every unit of
work of a test) the unit of work is a savepoint instead.
"""

from collections.abc import Mapping
from typing import Any, Self, cast

from psycopg.pq import TransactionStatus
from sqlalchemy.engine import Compiled, Dialect
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    AsyncTransaction,
    async_sessionmaker,
)
from sqlalchemy.sql import ClauseElement, Executable

from app.core.db.unit_of_work import UnitOfWork

_compiled_statements: dict[tuple[Executable, str], Compiled] = {}


def _compiled(statement: Executable, dialect: Dialect) -> Compiled:
    """`statement` compiled once per dialect (a process has one): SQL text in the driver's
    parameter style, and the statement's own bound values (its literals)."""
    key = (statement, dialect.name)
    compiled = _compiled_statements.get(key)
    if compiled is None:
        compiled = _compiled_statements[key] = cast(ClauseElement, statement).compile(dialect=dialect)
    return compiled


class ConnectionUnitOfWork(UnitOfWork):
    def __init__(self, session_factory: async_sessionmaker[AsyncSession]) -> None:
        super().__init__(session_factory)
        self._connection: AsyncConnection | None = None
        self._driver: Any = None
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
        self._driver = (await connection.get_raw_connection()).driver_connection
        return await super().__aenter__()

    async def fetch_one(self, statement: Executable, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run `statement` with `parameters` (its bind parameters by name) in this unit of work's
        transaction, on the driver's connection; the first row as the driver returns it, or None.
        No type processing on the way in or out (for values the driver converts alone: numbers,
        timestamps, JSON) and no Python-side column defaults (an UPDATE sets `updated_at`)."""
        if self._driver is None:
            raise RuntimeError("the unit of work is not open; use `async with ConnectionUnitOfWork(...)`")
        compiled = _compiled(statement, self._session_factory.kw["bind"].dialect)
        values = {**compiled.params, **parameters}
        if missing := sorted(
            name for name, value in values.items() if value is None and name not in parameters
        ):
            # A column default or onupdate computed in Python (updated_at) is applied by
            # SQLAlchemy's execution, which this path skips: the statement must give the value.
            raise ValueError(f"no value for {', '.join(missing)}: pass it, or set it in the statement")
        # Prepared once per connection by the server: the statement is the same on every call.
        cursor = await self._driver.execute(compiled.string, values, prepare=True)
        row: tuple[Any, ...] | None = await cursor.fetchone()
        return row

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
        elif self._driver.info.transaction_status != TransactionStatus.IDLE:
            await self._driver.rollback()

    async def _release_connection(self) -> None:
        connection, self._connection, self._driver, self._savepoint = self._connection, None, None, None
        if connection is not None:
            # A transaction still open here (the commit failed) is rolled back by the pool.
            await connection.close()
