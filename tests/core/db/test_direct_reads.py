"""Direct reads (app/core/db/direct.py): a read-only unit of work on the app's read pool sends its
repositories' SELECTs through the driver, on a connection held for one statement, with the values
SQLAlchemy would give. These run on committed rows and the real read pool (the rest of the suite
reads directly on the test's transaction)."""

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    ARRAY,
    DateTime,
    Numeric,
    Select,
    String,
    TypeDecorator,
    bindparam,
    column,
    delete,
    event,
    func,
    literal,
    null,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.pool import QueuePool

from app.core.config import AppConfig
from app.core.db import (
    FilterOperator,
    FilterParam,
    ListParams,
    SortParam,
    UnitOfWork,
    create_engine,
    create_session_factory,
)
from app.core.db.direct import DIRECT_READER, DirectReader, Reads, direct_reader_of
from app.core.db.listing import ListingError
from tests.example import Widget
from tests.example.repository import WidgetRepository
from tests.processes import eventually


class Shouted(TypeDecorator[str]):
    """A type with both processors: stored lower case, read upper case."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return "(none)" if value is None else value.lower()

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return "NULL!" if value is None else f"{value.upper()}!"


@pytest.fixture
async def read_engine(app_config: AppConfig) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(app_config, read_only=True)
    yield engine
    await engine.dispose()


@pytest.fixture
def read_only_factory(read_engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return create_session_factory(read_engine, autocommit=True)


@pytest.fixture
async def committed_widgets(engine: AsyncEngine) -> AsyncIterator[tuple[str, list[Widget]]]:
    """Five committed widgets of a category of their own (prices 1-5, the last soft-deleted)."""
    category = f"direct-{uuid.uuid4().hex[:12]}"
    factory = create_session_factory(engine)
    async with factory() as session:
        widgets = [
            Widget(name=f"{category}-{price}", category=category, price=price) for price in range(1, 6)
        ]
        session.add_all(widgets)
        await session.flush()
        widgets[-1].mark_deleted()
        await session.commit()
    yield category, widgets
    async with factory() as session:
        await session.execute(delete(Widget).where(Widget.category == category))
        await session.commit()


def count_checkouts(engine: AsyncEngine) -> list[int]:
    """How many connections were checked out after each checkout."""
    counts: list[int] = []

    @event.listens_for(engine.sync_engine, "checkout")
    def _count(*_: object) -> None:
        counts.append(checked_out(engine))

    return counts


def checked_out(engine: AsyncEngine) -> int:
    pool = engine.sync_engine.pool
    assert isinstance(pool, QueuePool)
    return pool.checkedout()


async def test_reads_go_through_the_driver_on_a_connection_held_for_one_statement(
    read_only_factory: async_sessionmaker[AsyncSession],
    read_engine: AsyncEngine,
    committed_widgets: tuple[str, list[Widget]],
) -> None:
    category, widgets = committed_widgets
    async with UnitOfWork(read_only_factory, read_only=True) as unit_of_work:
        session = unit_of_work.session
        assert direct_reader_of(session) is not None
        repository = WidgetRepository(session)
        found = await repository.get(widgets[0].id)
        assert found is not None
        assert (found.id, found.name, found.price, found.created_at) == (
            widgets[0].id,
            widgets[0].name,
            1,
            widgets[0].created_at,
        )
        assert found.created_at.tzinfo is not None
        assert await repository.get(widgets[-1].id) is None  # soft-deleted
        deleted = await repository.get(widgets[-1].id, include_deleted=True)
        assert deleted is not None
        assert deleted.is_deleted
        checkouts = count_checkouts(read_engine)
        page = await repository.list(ListParams(filters=[FilterParam(field="category", value=category)]))
        assert ([item.price for item in page.items], page.total) == ([1, 2, 3, 4], 4)
        assert checkouts == [1]  # the count and the page on one connection
        # The session itself never took a connection, and none is held between statements.
        assert session.get_transaction() is None
        assert checked_out(read_engine) == 0


async def test_one_compiled_shape_serves_every_value(
    read_only_factory: async_sessionmaker[AsyncSession],
    read_engine: AsyncEngine,
    committed_widgets: tuple[str, list[Widget]],
) -> None:
    category, widgets = committed_widgets

    def priced(operator: FilterOperator, price: int) -> ListParams:
        return ListParams(
            filters=[
                FilterParam(field="category", value=category),
                FilterParam(field="price", operator=operator, value=str(price)),
            ]
        )

    async with UnitOfWork(read_only_factory, read_only=True) as unit_of_work:
        repository = WidgetRepository(unit_of_work.session)
        reader = direct_reader_of(unit_of_work.session)
        assert reader is not None
        for price in (1, 3, 4):
            page = await repository.list(priced(FilterOperator.GTE, price))
            assert [item.price for item in page.items] == list(range(price, 5))
        assert len(reader._built) == 1  # one list plan: the count and the page compiled once
        by_name = await repository.list(
            ListParams(filters=[FilterParam(field="name", value=widgets[1].name)])
        )
        assert [item.id for item in by_name.items] == [widgets[1].id]
        # An expanding IN is finished by SQLAlchemy at execution: run through the session.
        in_filter = FilterParam(field="price", operator=FilterOperator.IN, value=["2", "4"])
        checkouts = count_checkouts(read_engine)
        page = await repository.list(
            ListParams(filters=[FilterParam(field="category", value=category), in_filter])
        )
        assert [item.price for item in page.items] == [2, 4]
        assert checkouts == [1]  # both through the session, on its connection


async def test_a_statement_only_the_session_runs_waits_for_no_second_connection(
    read_only_factory: async_sessionmaker[AsyncSession],
    read_engine: AsyncEngine,
    committed_widgets: tuple[str, list[Widget]],
) -> None:
    category, _ = committed_widgets
    of_category = select(Widget.__table__.c.price).where(Widget.__table__.c.category == category)
    async with read_only_factory() as session:
        reader = direct_reader_of(session)
        assert reader is not None
        checkouts = count_checkouts(read_engine)
        async with Reads(reader, session) as reads:
            assert len(await reads.rows(of_category)) == 5
            expanding = of_category.where(Widget.__table__.c.price.in_([2, 4]))
            assert sorted(row[0] for row in await reads.rows(expanding)) == [2, 4]
        # The direct read's connection went back before the session took one.
        assert checkouts == [1, 1]


async def test_a_session_holding_a_connection_lends_it(
    app_config: AppConfig, committed_widgets: tuple[str, list[Widget]]
) -> None:
    """A handler's own query through the session, then a repository read: one connection, even
    from a pool of one (a second checkout would wait until the pool's timeout)."""
    _, widgets = committed_widgets
    engine = create_engine(
        app_config.model_copy(
            update={"DATABASE_READ_POOL_SIZE": 1, "DATABASE_READ_MAX_OVERFLOW": 0, "DATABASE_POOL_TIMEOUT": 1}
        ),
        read_only=True,
    )
    try:
        async with UnitOfWork(
            create_session_factory(engine, autocommit=True), read_only=True
        ) as unit_of_work:
            assert await unit_of_work.session.scalar(select(func.count()).select_from(Widget.__table__))
            found = await WidgetRepository(unit_of_work.session).get(widgets[0].id)
            assert found is not None
            assert found.id == widgets[0].id
    finally:
        await engine.dispose()


async def fetch(reader: DirectReader, session: AsyncSession, statement: Select[Any]) -> list[Any]:
    prepared = reader.prepare(statement)
    assert prepared is not None
    async with Reads(reader, session) as reads:
        return await reads.run(*prepared)


async def test_values_are_those_sqlalchemy_gives(
    read_only_factory: async_sessionmaker[AsyncSession], read_engine: AsyncEngine
) -> None:
    moment = datetime(2026, 12, 6, 12, 30, tzinfo=UTC)
    statement = select(
        literal({"a": [1, 2], "b": None}, JSONB).label("document"),
        literal(["x", "y"], ARRAY(String)).label("tags"),
        literal(Decimal("12.50"), Numeric(10, 2)).label("amount"),
        literal(moment, DateTime(timezone=True)).label("moment"),
        literal(None, String).label("nothing"),
        literal("MiXeD", Shouted).label("shouted"),
        literal(None, Shouted).label("shouted_none"),
        null().cast(Shouted).label("null_shouted"),
    )
    async with read_only_factory() as session:
        expected = (await session.execute(statement)).one()
        rows = await fetch(DirectReader(read_engine), session, statement)
    assert rows == [tuple(expected)]
    assert rows[0][0] == {"a": [1, 2], "b": None}
    assert rows[0][2] == Decimal("12.50")
    assert rows[0][3] == moment
    assert rows[0][5] == "MIXED!"  # bound through the type (lower case), read through it
    assert rows[0][6:] == ("(NONE)!", "NULL!")  # a type's processors see None too


async def test_values_given_with_params_go_through_the_session(
    read_only_factory: async_sessionmaker[AsyncSession], committed_widgets: tuple[str, list[Widget]]
) -> None:
    """SQLAlchemy carries `.params()` values outside the compiled statement's parameters."""
    category, widgets = committed_widgets
    columns = Widget.__table__.c
    pricier = select(columns.id).where(columns.price > bindparam("floor", 0)).params(floor=3)
    async with UnitOfWork(read_only_factory, read_only=True) as unit_of_work:
        page = await WidgetRepository(unit_of_work.session).list(
            ListParams(filters=[FilterParam(field="category", value=category)]), columns.id.in_(pricier)
        )
    assert [item.id for item in page.items] == [widgets[3].id]  # price 4 (5 is deleted)
    reader = DirectReader(read_only_factory.kw["bind"])
    assert reader.prepare(pricier) is None


async def test_an_sql_error_is_a_dbapi_error_and_keeps_the_connection(
    read_only_factory: async_sessionmaker[AsyncSession], read_engine: AsyncEngine
) -> None:
    reader = DirectReader(read_engine)
    backend = select(func.pg_backend_pid())
    async with read_only_factory() as session:
        first = await fetch(reader, session, backend)
        with pytest.raises(DBAPIError) as raised:
            await fetch(reader, session, select(table("no_such_table", column("id")).c.id))
        assert getattr(raised.value.orig, "sqlstate", None) == "42P01"
        assert checked_out(read_engine) == 0
        assert await fetch(reader, session, backend) == first  # the same connection, reused


async def test_a_read_cancelled_mid_statement_discards_its_connection(
    read_only_factory: async_sessionmaker[AsyncSession], read_engine: AsyncEngine, engine: AsyncEngine
) -> None:
    reader = DirectReader(read_engine)
    backend = select(func.pg_backend_pid())
    async with read_only_factory() as session:
        [(first,)] = await fetch(reader, session, backend)
        slow = asyncio.create_task(fetch(reader, session, select(func.pg_sleep(30))))
        async with engine.connect() as admin:
            running = text(
                "SELECT count(*) FROM pg_stat_activity WHERE pid = :pid AND query LIKE '%pg_sleep%'"
            )
            await eventually(lambda: admin.scalar(running, {"pid": first}))
        slow.cancel()
        with pytest.raises(asyncio.CancelledError):
            await slow
        assert checked_out(read_engine) == 0
        [(second,)] = await fetch(reader, session, backend)
    assert second != first  # a connection whose statement was cut off is not reused


async def test_a_server_that_refuses_connections_is_a_dbapi_error(app_config: AppConfig) -> None:
    unreachable = make_url(app_config.DATABASE_URL).set(port=1).render_as_string(hide_password=False)
    engine = create_engine(app_config.model_copy(update={"DATABASE_URL": unreachable}), read_only=True)
    try:
        async with create_session_factory(engine, autocommit=True)() as session:
            with pytest.raises(OperationalError):  # SQLAlchemy's, as a session raises it
                await fetch(DirectReader(engine), session, select(literal(1)))
    finally:
        await engine.dispose()


async def test_a_connection_the_server_closed_is_replaced(
    read_only_factory: async_sessionmaker[AsyncSession],
    read_engine: AsyncEngine,
    engine: AsyncEngine,
    committed_widgets: tuple[str, list[Widget]],
) -> None:
    _, widgets = committed_widgets
    async with read_only_factory() as session:
        [(first_pid,)] = await fetch(DirectReader(read_engine), session, select(func.pg_backend_pid()))
    async with engine.connect() as admin:
        # Waits for the backend to be gone (its FATAL message then sits in the pooled socket).
        await admin.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": first_pid})
    async with UnitOfWork(read_only_factory, read_only=True) as unit_of_work:
        found = await WidgetRepository(unit_of_work.session).get(widgets[0].id)
    assert found is not None
    assert found.id == widgets[0].id


def test_echoed_sql_is_left_to_the_session(app_config: AppConfig) -> None:
    engine = create_engine(app_config.model_copy(update={"DATABASE_ECHO": True}), read_only=True)
    assert DIRECT_READER not in create_session_factory(engine, autocommit=True).kw["info"]


PLANNED_LISTS: list[tuple[dict[str, list[Any]], int, int]] = [
    ({"sort": [SortParam(field="price", direction="desc")]}, 1, 2),
    ({"sort": [SortParam(field="price", direction="desc")]}, 2, 2),
    ({"sort": [SortParam(field="name")]}, 1, 3),
    ({"filters": [FilterParam(field="price", operator=FilterOperator.GT, value="2")]}, 1, 20),
    ({"filters": [FilterParam(field="price", operator=FilterOperator.GT, value="3")]}, 1, 20),
    ({"filters": [FilterParam(field="name", operator=FilterOperator.LIKE, value="%-2")]}, 1, 20),
    ({"filters": [FilterParam(field="deleted_at", operator=FilterOperator.IS_NULL, value="false")]}, 1, 20),
    ({"filters": [FilterParam(field="deleted_at", operator=FilterOperator.IS_NULL, value="true")]}, 1, 20),
    ({"filters": [FilterParam(field="price", operator=FilterOperator.IN, value=["1", "4"])]}, 1, 20),
]


@pytest.mark.parametrize("include_deleted", [False, True])
async def test_list_plans_read_what_the_orm_reads(
    read_only_factory: async_sessionmaker[AsyncSession],
    engine: AsyncEngine,
    committed_widgets: tuple[str, list[Widget]],
    include_deleted: bool,
) -> None:
    """One plan per shape serves every value, page and size; each list equals the ORM's."""
    category = committed_widgets[0]
    of_category = FilterParam(field="category", value=category)
    cases = [
        ListParams(**{**extra, "filters": [of_category, *extra.get("filters", [])]}, page=page, per_page=size)
        for extra, page, size in PLANNED_LISTS
    ]
    expected = []
    async with UnitOfWork(create_session_factory(engine)) as unit_of_work:
        for params in cases:
            page = await WidgetRepository(unit_of_work.session).list(params, include_deleted=include_deleted)
            expected.append(([item.id for item in page.items], page.total))
    async with UnitOfWork(read_only_factory, read_only=True) as unit_of_work:
        repository = WidgetRepository(unit_of_work.session)
        got = []
        for params in cases:
            page = await repository.list(params, include_deleted=include_deleted)
            got.append(([item.id for item in page.items], page.total))
        reader = direct_reader_of(unit_of_work.session)
        assert reader is not None
        # Sort by price (two pages), by name, price above (two values), LIKE, IS NULL true and
        # false: six plans for eight lists (IN has none: SQLAlchemy expands it at execution).
        assert len(reader._built) == 6
        with pytest.raises(ListingError):  # a shape with a plan still checks its values
            await repository.list(
                ListParams(
                    filters=[of_category, FilterParam(field="price", operator=FilterOperator.GT, value="x")]
                )
            )
    assert got == expected
    assert expected[0][1] == (5 if include_deleted else 4)
