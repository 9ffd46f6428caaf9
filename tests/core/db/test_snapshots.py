"""Inside a read-only unit of work repositories read snapshots: the row's attributes and the model's
properties, immutable, in no session; the same rows, filters, order and soft-delete rule as the ORM."""

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.core.db import FilterParam, ListParams, SortParam, UnitOfWork
from tests.example import Widget
from tests.example.repository import WidgetRepository
from tests.example.schemas import WidgetResponse
from tests.factories import WidgetFactory


@pytest.fixture
def factory(db_session: AsyncSession) -> async_sessionmaker[AsyncSession]:
    # Sees the test's rows: a savepoint on the test's connection.
    return async_sessionmaker(bind=db_session.bind, join_transaction_mode="create_savepoint")


async def test_a_read_only_get_returns_an_immutable_snapshot(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    widget = await WidgetFactory.create_async(name="snapshot", category="spares", price=7)
    async with UnitOfWork(factory, read_only=True) as unit_of_work:
        found = await WidgetRepository(unit_of_work.session).get(widget.id)
        assert found is not None
        assert type(found).__name__ == "WidgetSnapshot"
        assert (found.id, found.name, found.category, found.price) == (widget.id, "snapshot", "spares", 7)
        assert found.created_at == widget.created_at
        assert found.is_deleted is False  # the model's property, carried over
        assert WidgetResponse.model_validate(found) == WidgetResponse.model_validate(widget)
        with pytest.raises(AttributeError):
            found.price = 8
        assert not unit_of_work.session.identity_map
        assert await WidgetRepository(unit_of_work.session).get(widget.id + 1000) is None
    async with UnitOfWork(factory) as unit_of_work:
        assert isinstance(await WidgetRepository(unit_of_work.session).get(widget.id), Widget)


async def test_snapshots_hide_soft_deleted_rows_unless_asked(
    factory: async_sessionmaker[AsyncSession], db_session: AsyncSession
) -> None:
    kept, deleted = await WidgetFactory.create_batch_async(2, category="snapshot-deleted")
    await WidgetRepository(db_session).delete(deleted)
    only_category = ListParams(filters=[FilterParam(field="category", value="snapshot-deleted")])
    async with UnitOfWork(factory, read_only=True) as unit_of_work:
        repository = WidgetRepository(unit_of_work.session)
        assert await repository.get(deleted.id) is None
        found = await repository.get(deleted.id, include_deleted=True)
        assert found is not None
        assert found.is_deleted
        assert [item.id for item in (await repository.list(only_category)).items] == [kept.id]
        listed = await repository.list(only_category, include_deleted=True)
        assert sorted(item.id for item in listed.items) == sorted([kept.id, deleted.id])
        assert listed.total == 2


async def test_a_read_only_list_pages_like_the_orm(
    factory: async_sessionmaker[AsyncSession],
) -> None:
    for price in (5, 1, 3, 3, 9):
        await WidgetFactory.create_async(category="snapshot-list", price=price)
    params = ListParams(
        page=2,
        per_page=2,
        sort=[SortParam(field="price", direction="desc")],
        filters=[FilterParam(field="category", value="snapshot-list")],
    )
    async with UnitOfWork(factory) as unit_of_work:
        orm_page = await WidgetRepository(unit_of_work.session).list(params)
        expected = [WidgetResponse.model_validate(item) for item in orm_page.items]
    async with UnitOfWork(factory, read_only=True) as unit_of_work:
        page = await WidgetRepository(unit_of_work.session).list(params)
    assert all(not isinstance(item, Widget) for item in page.items)
    assert [WidgetResponse.model_validate(item) for item in page.items] == expected
    assert [item.price for item in page.items] == [3, 3]
    assert (page.total, page.page, page.pages) == (5, 2, 3)
