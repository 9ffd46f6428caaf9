"""A unit of work that opens its transaction on a connection before anything else runs in it.

For work whose first statement is fixed and hot: a worker's claim of an outbox message, sent on
every task. `fetch_one` sends such a statement as SQL text straight to the driver's connection,
inside the unit of work's transaction: none of SQLAlchemy's execution path (statement cache,
execution context, result, the greenlet hop), which costs more than the round trip itself. The
ORM session is created only if the work uses it, bound to the same connection, so whatever it
writes commits or rolls back with that first statement. A task that never touches the session
(an email, a call to another service) pays for one connection, its statement and the commit.

The transaction is SQLAlchemy's own (`begin()` on a pooled connection), so the session joins it
as it would any external transaction; on a connection that is already in a transaction (the
tests' connection, shared by every unit of work of a test) it is a savepoint instead.
"""

from collections.abc import Mapping
from typing import Any, Self, cast

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
        self._owns_connection = False
        self._transaction: AsyncTransaction | None = None

    async def __aenter__(self) -> Self:
        bind = self._session_factory.kw.get("bind")
        if isinstance(bind, AsyncConnection):
            self._connection = bind
            self._transaction = await bind.begin_nested()
        elif isinstance(bind, AsyncEngine):
            self._connection = await bind.connect()
            self._owns_connection = True
            self._transaction = await self._connection.begin()
        else:
            raise TypeError(f"the session factory is bound to neither an engine nor a connection: {bind!r}")
        return await super().__aenter__()

    async def fetch_one(self, statement: Executable, parameters: Mapping[str, Any]) -> tuple[Any, ...] | None:
        """Run `statement` with `parameters` (its bind parameters by name) in this unit of work's
        transaction, on the driver's connection; the first row as the driver returns it, or None.
        No type processing on the way in or out: for statements whose values the driver
        converts alone (numbers, timestamps, JSON)."""
        if self._connection is None:
            raise RuntimeError("the unit of work is not open; use `async with ConnectionUnitOfWork(...)`")
        compiled = _compiled(statement, self._connection.dialect)
        driver = (await self._connection.get_raw_connection()).driver_connection
        if driver is None:
            raise RuntimeError("the pooled connection has no driver connection (closed)")
        # Prepared once per connection by the server: the statement is the same on every call.
        cursor = await driver.execute(compiled.string, {**compiled.params, **parameters}, prepare=True)
        row: tuple[Any, ...] | None = await cursor.fetchone()
        return row

    def _create_session(self) -> AsyncSession:
        # Joins the transaction begun on the connection (a savepoint of its own when the
        # factory asks for one, as the tests' does); the unit of work commits it.
        return self._session_factory(bind=self._connection)

    async def _commit_connection(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            await self._transaction.commit()

    async def _rollback_connection(self) -> None:
        if self._transaction is not None and self._transaction.is_active:
            await self._transaction.rollback()

    async def _release_connection(self) -> None:
        connection, self._connection, self._transaction = self._connection, None, None
        if connection is not None and self._owns_connection:
            # A transaction still open here (the commit failed) is rolled back by the pool.
            await connection.close()
