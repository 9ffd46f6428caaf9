"""Direct reads: the SELECTs of read-only units of work, sent by the driver itself.

Through a session, a one-row Core SELECT costs about three times the driver's own work: the
session's transaction and Connection, the execution context, the cursor result and the greenlet
hop around each driver call (bench/RESULTS.md). A read-only unit of work needs none of that: its
connections are autocommit, it tracks no object. So its repositories' statements are compiled by
SQLAlchemy, once per statement shape, and executed by psycopg. Parameters and results go through
the column types' bind and result processors, as SQLAlchemy applies them; driver errors come out
as SQLAlchemy's exceptions, as they would from a session.

The connection: the session's own if it holds one already (a query of the handler's ran through
it), else one of the same engine's pool (its liveness check and timeout included), held for the
statements of one repository call (a page and its count) and given back before anything else
waits for a connection. So a request never holds one connection while waiting for a second.
Like a session, one unit of work reads one statement at a time: do not `gather` its reads.

A statement SQLAlchemy only finishes at execution (an expanding `IN`, literal-execute parameters,
values given with `.params()`, a column default or onupdate computed in Python) is not compiled
here: `prepare` answers None and the caller runs it through the session. Nor are statements run
directly when the engine echoes its SQL (DATABASE_ECHO): the session logs them.

The same reader sends the one hot statement of write units of work: the worker's claim of an
outbox message (app.core.db.connection_unit_of_work), an UPDATE ... RETURNING.
"""

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Select, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.dml import UpdateBase
from sqlalchemy.util import LRUCache, greenlet_spawn

T = TypeVar("T")
Processor = Callable[[Any], Any]
# What a reader runs: a SELECT, or an INSERT/UPDATE/DELETE with RETURNING (their columns typed).
Statement = Select[Any] | UpdateBase
Parameters = MutableMapping[str, Any]
# As many compiled statements as SQLAlchemy's own compiled cache keeps by default.
CACHE_SIZE = 500


@dataclass(slots=True)
class CompiledRead:
    """One statement shape, compiled for the engine's dialect."""

    sql: str
    compiled: SQLCompiler
    bind_processors: Mapping[str, Processor]
    selected_types: Sequence[Any]
    # Set from the first result's description: processors depend on the driver's column types.
    result_processors: list[Processor | None] | None = field(default=None)

    def parameters(self, values: Mapping[str, Any] | None, extracted: Sequence[Any] | None) -> Parameters:
        parameters = self.compiled.construct_params(values, extracted_parameters=extracted)
        try:
            # None included, as SQLAlchemy does: a type's processor decides what None becomes.
            for name, process in self.bind_processors.items():
                if name in parameters:
                    parameters[name] = process(parameters[name])
        except Exception as error:  # a value the column's type refuses, as the session reports it
            raise exc.StatementError(str(error), self.sql, parameters, error) from error
        return parameters


class DirectReader:
    """Compiles and runs read-only Core SELECTs for one engine (see the module's doc).

    `on_session_connection`: run them on the session's own connection instead of one of the
    pool's, for sessions bound to a connection in a transaction they share (a test's)."""

    def __init__(self, engine: AsyncEngine, *, on_session_connection: bool = False) -> None:
        self.engine = engine
        self.on_session_connection = on_session_connection
        self.dialect: Dialect = engine.sync_engine.dialect
        self._by_shape: LRUCache[Any, CompiledRead | None] = LRUCache(CACHE_SIZE)
        self._built: LRUCache[Any, Any] = LRUCache(CACHE_SIZE)
        # Statements built once and kept (a model's read by id): found by identity, with no cache
        # key to compute per call; an entry goes with its statement.
        self._static: WeakKeyDictionary[Statement, CompiledRead | None] = WeakKeyDictionary()

    def prepare(
        self, statement: Statement, values: Mapping[str, Any] | None = None, *, static: bool = False
    ) -> tuple[CompiledRead, Parameters] | None:
        """The compiled statement and its parameters, or None when it needs the session."""
        if static:
            if statement in self._static:
                read = self._static[statement]
            else:
                read = self._static[statement] = self._compile(statement, None)
            return None if read is None else (read, read.parameters(values, None))
        # The cache key SQLAlchemy's own compiled cache uses: the statement's shape, with the values
        # of its literal parameters extracted, so one compilation serves every value. Not public
        # API: this module is SQLAlchemy's adapter for it (tests/core/db/test_direct_reads.py fails
        # if its meaning changes).
        cache_key = statement._generate_cache_key()
        if cache_key is None or cache_key.params:
            return None
        if cache_key.key in self._by_shape:
            read = self._by_shape[cache_key.key]
        else:
            read = self._by_shape[cache_key.key] = self._compile(statement, cache_key)
        return None if read is None else (read, read.parameters(values, cache_key.bindparams))

    def compile_once(self, statement: Statement) -> CompiledRead | None:
        """`statement` compiled for a caller that keeps it (its values given by name at each run:
        `CompiledRead.parameters(values, None)`); None when the session must run it."""
        return self._compile(statement, None)

    def cached(self, key: Any, build: Callable[[], T]) -> T:
        """What `build` makes for this engine (a list plan), built once per `key`."""
        if key in self._built:
            found: T = self._built[key]
            return found
        built = self._built[key] = build()
        return built

    def _compile(self, statement: Statement, cache_key: Any) -> CompiledRead | None:
        # With its cache key, the compiled statement takes the parameter values of any statement of
        # the same shape (as SQLAlchemy's compiled cache does).
        compiled = statement.compile(dialect=self.dialect, cache_key=cache_key)
        assert isinstance(compiled, SQLCompiler)
        if (
            compiled.positional
            or compiled.post_compile_params
            or compiled.literal_execute_params
            or compiled.escaped_bind_names
            # Values SQLAlchemy computes at execution (a Python-side default or onupdate): sent
            # as they are, they would be NULL.
            or compiled.insert_prefetch
            or compiled.update_prefetch
        ):
            return None
        dialect = self.dialect
        processors = {
            name: process
            for name, bind in compiled.binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        types = [column.type for column in statement.exported_columns]
        if len(types) != len(compiled._result_columns):
            return None  # a column of no known type (text("...")): the session reads it
        return CompiledRead(compiled.string, compiled, processors, types)

    async def execute(
        self, raw: PoolProxiedConnection, read: CompiledRead, parameters: Parameters
    ) -> list[Any]:
        dialect = self.dialect
        try:
            driver_connection: Any = raw.driver_connection
            cursor = await driver_connection.execute(read.sql, parameters)
            rows: list[Any] = await cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            raise self.wrapped(error, raw.dbapi_connection, read.sql, parameters) from error
        processors = read.result_processors
        if processors is None:
            processors = read.result_processors = [
                column_type.dialect_impl(dialect).result_processor(dialect, description.type_code)
                for column_type, description in zip(read.selected_types, cursor.description, strict=True)
            ]
        if any(processors):
            return [_processed(row, processors) for row in rows]
        return rows

    def wrapped(
        self, error: Any, dbapi_connection: Any, sql: str | None, parameters: Parameters | None
    ) -> exc.StatementError:
        """A driver error as a session raises it (a lost connection marked invalidated)."""
        dialect = self.dialect
        wrapped: exc.StatementError = exc.DBAPIError.instance(
            sql,
            parameters,
            error,
            dialect.loaded_dbapi.Error,
            connection_invalidated=dialect.is_disconnect(error, dbapi_connection, None),
            dialect=dialect,
        )
        return wrapped


class Reads:
    """The statements of one repository call (a page and its count), on one connection (see the
    module's doc): the first checks it out, the end of the block gives it back. A statement only
    the session can run (or a reader of None: no direct reads) goes through the session, and the
    connection is given back first."""

    __slots__ = ("_owned", "_raw", "_reader", "_session")

    def __init__(self, reader: DirectReader | None, session: AsyncSession) -> None:
        self._reader = reader
        self._session = session
        self._raw: PoolProxiedConnection | None = None
        # Checked out of the pool by these reads (else borrowed from the session: left to it).
        self._owned = False

    async def rows(
        self, statement: Statement, values: Mapping[str, Any] | None = None, *, static: bool = False
    ) -> Sequence[Sequence[Any]]:
        """`static`: a statement built once and kept (compiled once, found by identity)."""
        prepared = None if self._reader is None else self._reader.prepare(statement, values, static=static)
        if prepared is None:
            await self.release()
            rows: Sequence[Sequence[Any]] = (await self._session.execute(statement, values)).all()
            return rows
        return await self.run(*prepared)

    async def run(self, read: CompiledRead, parameters: Parameters) -> list[Any]:
        reader = self._reader
        assert reader is not None
        raw = self._raw
        if raw is None:
            raw = self._raw = await self._checkout(reader)
        try:
            return await reader.execute(raw, read, parameters)
        except exc.DBAPIError as error:
            # An SQL error leaves an autocommit connection as it was; a lost one is not reused.
            if error.connection_invalidated:
                await self._discard()
            raise
        except BaseException:
            # Cancelled mid-statement (or worse): the connection's state is unknown.
            await self._discard()
            raise

    async def _checkout(self, reader: DirectReader) -> PoolProxiedConnection:
        session = self._session
        if reader.on_session_connection or session.get_transaction() is not None:
            connection = await session.connection()
            return await connection.get_raw_connection()
        try:
            raw = await reader.engine.raw_connection()
        except reader.dialect.loaded_dbapi.Error as error:  # the server refused or is gone
            raise reader.wrapped(error, None, None, None) from error
        self._owned = True
        return raw

    async def release(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None and self._owned:
            self._owned = False
            # In SQLAlchemy's greenlet: returning a connection may close it (the pool's overflow).
            await greenlet_spawn(raw.close)

    async def _discard(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None and self._owned:
            self._owned = False
            await greenlet_spawn(_invalidate, raw)

    async def __aenter__(self) -> "Reads":
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.release()


def _invalidate(raw: PoolProxiedConnection) -> None:
    raw.invalidate()
    raw.close()


def _processed(row: Sequence[Any], processors: Sequence[Processor | None]) -> tuple[Any, ...]:
    return tuple(
        value if process is None else process(value) for value, process in zip(row, processors, strict=True)
    )


# The key of a session factory's info holding its DirectReader (app.core.db.engine).
DIRECT_READER = "direct_reader"
_readers: WeakKeyDictionary[Engine, DirectReader] = WeakKeyDictionary()


def direct_reader_for(engine: AsyncEngine) -> DirectReader:
    """The engine's reader: one per engine, so each statement is compiled once per process."""
    reader = _readers.get(engine.sync_engine)
    if reader is None:
        reader = _readers[engine.sync_engine] = DirectReader(engine)
    return reader


def direct_reader_of(session: AsyncSession) -> DirectReader | None:
    reader: DirectReader | None = session.info.get(DIRECT_READER)
    return reader
