"""Direct reads: the SELECTs of read-only units of work, sent by the driver itself.

Through a session, a one-row Core SELECT costs about three times the driver's own work: the
session's transaction and Connection, the execution context, the cursor result and the greenlet
hop around each driver call (bench/RESULTS.md). A read-only unit of work needs none of that: its
connections are autocommit, it tracks no object. So its repositories' statements are compiled by
SQLAlchemy, once per statement shape, and executed by psycopg on a connection checked out of the
same engine's pool for that one statement (the pool's liveness check and timeout included; the
connection is held for no longer than the statement, so a handler that also runs queries of its
own through the session never waits on a second connection while holding one). Parameters and
results go through the column types' bind and result processors, as SQLAlchemy applies them, and
driver errors come out as SQLAlchemy's `DBAPIError`, a lost connection invalidated, as they would
from a session.

A statement SQLAlchemy only finishes at execution (an expanding `IN`, literal-execute parameters)
is not compiled here: `prepare` answers None and the caller runs it through the session.
"""

from collections.abc import Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.util import LRUCache, greenlet_spawn

Processor = Callable[[Any], Any]
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
        # None included, as SQLAlchemy does: a type's processor decides what None becomes.
        for name, process in self.bind_processors.items():
            if name in parameters:
                parameters[name] = process(parameters[name])
        return parameters


class DirectReader:
    """Compiles and runs read-only Core SELECTs for one engine (see the module's doc).

    `on_session_connection`: run them on the session's own connection instead of one of the
    pool's, for sessions bound to a connection in a transaction they share (a test's)."""

    def __init__(self, engine: AsyncEngine, *, on_session_connection: bool = False) -> None:
        self.engine = engine
        self.on_session_connection = on_session_connection
        self._dialect: Dialect = engine.sync_engine.dialect
        self._by_shape: LRUCache[Any, CompiledRead | None] = LRUCache(CACHE_SIZE)
        # Statements built once and kept (a model's read by id): found by identity, with no cache
        # key to compute per call. The statement is kept with its entry, so its id stays its own.
        self._static: dict[int, tuple[Select[Any], CompiledRead | None]] = {}

    def prepare(
        self, statement: Select[Any], values: Mapping[str, Any] | None = None, *, static: bool = False
    ) -> tuple[CompiledRead, Parameters] | None:
        """The compiled statement and its parameters, or None when it needs the session."""
        if static:
            found = self._static.get(id(statement))
            if found is None:
                found = self._static[id(statement)] = (statement, self._compile(statement, None))
            read = found[1]
            return None if read is None else (read, read.parameters(values, None))
        # The cache key SQLAlchemy's own compiled cache uses: the statement's shape, with the values
        # of its literal parameters extracted, so one compilation serves every value. Not public
        # API: this module is SQLAlchemy's adapter for it (tests/core/db/test_direct_reads.py fails
        # if its meaning changes).
        cache_key = statement._generate_cache_key()
        if cache_key is None:
            return None
        if cache_key.key in self._by_shape:
            read = self._by_shape[cache_key.key]
        else:
            read = self._by_shape[cache_key.key] = self._compile(statement, cache_key)
        return None if read is None else (read, read.parameters(values, cache_key.bindparams))

    def _compile(self, statement: Select[Any], cache_key: Any) -> CompiledRead | None:
        # With its cache key, the compiled statement takes the parameter values of any statement of
        # the same shape (as SQLAlchemy's compiled cache does).
        compiled = statement.compile(dialect=self._dialect, cache_key=cache_key)
        assert isinstance(compiled, SQLCompiler)
        if (
            compiled.positional
            or compiled.post_compile_params
            or compiled.literal_execute_params
            or compiled.escaped_bind_names
        ):
            return None
        dialect = self._dialect
        processors = {
            name: process
            for name, bind in compiled.binds.items()
            if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
        }
        types = [column.type for column in statement.selected_columns]
        return CompiledRead(compiled.string, compiled, processors, types)

    def reads(self, session: AsyncSession) -> "Reads":
        """Statements of `session`'s unit of work, read in a row on one connection."""
        return Reads(self, session)

    async def fetch(self, session: AsyncSession, read: CompiledRead, parameters: Parameters) -> list[Any]:
        """The rows of one prepared statement, as tuples."""
        async with self.reads(session) as reads:
            return await reads.run(read, parameters)

    async def execute(
        self, raw: PoolProxiedConnection, read: CompiledRead, parameters: Parameters
    ) -> list[Any]:
        dialect = self._dialect
        try:
            driver_connection: Any = raw.driver_connection
            cursor = await driver_connection.execute(read.sql, parameters)
            rows: list[Any] = await cursor.fetchall()
        except dialect.loaded_dbapi.Error as error:
            invalidated = dialect.is_disconnect(error, raw.dbapi_connection, None)
            raise exc.DBAPIError.instance(
                read.sql,
                parameters,
                error,
                dialect.loaded_dbapi.Error,
                connection_invalidated=invalidated,
                dialect=dialect,
            ) from error
        processors = read.result_processors
        if processors is None:
            processors = read.result_processors = [
                column_type.dialect_impl(dialect).result_processor(dialect, description.type_code)
                for column_type, description in zip(read.selected_types, cursor.description, strict=True)
            ]
        if any(processors):
            return [_processed(row, processors) for row in rows]
        return rows


class Reads:
    """Statements read in a row (a page and its count) on one connection: the first checks it
    out, the end of the block returns it. A statement only the session can run (or a reader of
    None: no direct reads) goes through the session, and the connection is given back first, so no
    request ever waits for a second connection while holding one."""

    __slots__ = ("_raw", "_reader", "_session")

    def __init__(self, reader: DirectReader | None, session: AsyncSession) -> None:
        self._reader = reader
        self._session = session
        self._raw: PoolProxiedConnection | None = None

    async def rows(
        self, statement: Select[Any], values: Mapping[str, Any] | None = None, *, static: bool = False
    ) -> Sequence[Sequence[Any]]:
        """`static`: a statement built once and kept (compiled once, found by identity)."""
        prepared = None if self._reader is None else self._reader.prepare(statement, values, static=static)
        if prepared is None:
            await self.release()
            rows: Sequence[Sequence[Any]] = (await self._session.execute(statement, values)).all()
            return rows
        return await self.run(*prepared)

    async def run(self, read: CompiledRead, parameters: Parameters) -> list[Any]:
        assert self._reader is not None
        raw = self._raw
        if raw is None:
            raw = self._raw = await self._checkout(self._reader)
        try:
            return await self._reader.execute(raw, read, parameters)
        except BaseException:
            await self._discard()
            raise

    async def _checkout(self, reader: DirectReader) -> PoolProxiedConnection:
        if reader.on_session_connection:
            connection = await self._session.connection()
            return await connection.get_raw_connection()
        return await reader.engine.raw_connection()

    async def release(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None and not self._on_session_connection:
            # In SQLAlchemy's greenlet: returning a connection may close it (the pool's overflow).
            await greenlet_spawn(raw.close)

    async def _discard(self) -> None:
        # Cancelled or failed mid-statement: the connection's state is unknown.
        raw, self._raw = self._raw, None
        if raw is not None and not self._on_session_connection:
            await greenlet_spawn(_invalidate, raw)

    @property
    def _on_session_connection(self) -> bool:
        return self._reader is not None and self._reader.on_session_connection

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


def direct_reader_of(session: AsyncSession) -> DirectReader | None:
    reader: DirectReader | None = session.info.get(DIRECT_READER)
    return reader
