"""BaseRepository against the real database: CRUD, listing, stable pagination, soft delete."""

from datetime import UTC, datetime

import pytest
from freezegun import freeze_time
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import INCLUDE_DELETED, FilterParam, ListParams, SortParam
from app.core.errors import InvalidInput
from tests.example import Widget
from tests.example.repository import WidgetRepository
from tests.factories import WidgetFactory


@pytest.fixture
def repository(db_session: AsyncSession) -> WidgetRepository:
    return WidgetRepository(db_session)


async def test_create_get_update_exists(repository: WidgetRepository) -> None:
    widget = await repository.create({"name": "gear", "price": 3})
    assert widget.id is not None
    assert await repository.get(widget.id) is widget
    assert await repository.exists(widget.id)
    assert not await repository.exists(widget.id + 1000)

    await repository.update(widget, {"price": 4})
    repository.session.expunge_all()
    reloaded = await repository.get(widget.id)
    assert reloaded is not None
    assert reloaded.price == 4


async def test_get_many_keeps_id_order(repository: WidgetRepository) -> None:
    first, second, third = await WidgetFactory.create_batch_async(3)
    found = await repository.get_many([third.id, first.id])
    assert [widget.id for widget in found] == [first.id, third.id]
    assert await repository.get_many([]) == []
    del second


async def test_timestamps_come_from_the_clock_helper(repository: WidgetRepository) -> None:
    with freeze_time("2030-01-02 03:04:05"):
        widget = await repository.create({"name": "frozen"})
    assert widget.created_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert widget.created_at.tzinfo is not None

    with freeze_time("2031-01-01"):
        await repository.update(widget, {"price": 9})
    assert widget.updated_at == datetime(2031, 1, 1, tzinfo=UTC)
    assert widget.created_at == datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


async def test_soft_delete_hides_rows_and_restore_brings_them_back(
    repository: WidgetRepository, db_session: AsyncSession
) -> None:
    kept, deleted = await WidgetFactory.create_batch_async(2, category="spares")
    await repository.delete(deleted)
    db_session.expunge_all()  # make every check below go to the database

    assert await repository.get(deleted.id) is None
    assert not await repository.exists(deleted.id)
    assert [w.id for w in await repository.get_many([kept.id, deleted.id])] == [kept.id]
    page = await repository.list(ListParams(filters=[FilterParam(field="category", value="spares")]))
    assert (page.total, [w.id for w in page.items]) == (1, [kept.id])
    count = await db_session.scalar(
        select(func.count()).select_from(Widget).where(Widget.category == "spares")
    )
    assert count == 1

    hidden = await repository.get(deleted.id, include_deleted=True)
    assert hidden is not None
    assert hidden.deleted_at is not None
    every = await db_session.scalars(
        select(Widget).where(Widget.category == "spares").execution_options(**{INCLUDE_DELETED: True})
    )
    assert len(list(every)) == 2

    await repository.restore(hidden)
    db_session.expunge_all()
    restored = await repository.get(deleted.id)
    assert restored is not None
    assert restored.deleted_at is None


async def test_soft_deleted_row_in_identity_map_is_hidden(repository: WidgetRepository) -> None:
    widget = await WidgetFactory.create_async()
    await repository.delete(widget)
    assert await repository.get(widget.id) is None


async def test_hard_delete_removes_the_row(repository: WidgetRepository) -> None:
    widget = await WidgetFactory.create_async()
    await repository.delete(widget, hard=True)
    assert await repository.get(widget.id, include_deleted=True) is None


async def test_pagination_is_stable_with_ties(repository: WidgetRepository) -> None:
    # 25 rows sharing one sort value: only the primary key tie-breaker makes pages well defined.
    created = await WidgetFactory.create_batch_async(25, price=7, category="tied")
    expected = sorted(widget.id for widget in created)
    sort, filters = [SortParam(field="price")], [FilterParam(field="category", value="tied")]

    seen: list[int] = []
    for page_number in (1, 2, 3):
        page = await repository.list(ListParams(page=page_number, per_page=10, sort=sort, filters=filters))
        assert page.total == 25
        assert page.pages == 3
        seen.extend(widget.id for widget in page.items)
    assert seen == expected

    again = await repository.list(ListParams(page=2, per_page=10, sort=sort, filters=filters))
    assert [widget.id for widget in again.items] == expected[10:20]


async def test_page_past_the_end_is_empty(repository: WidgetRepository) -> None:
    await WidgetFactory.create_batch_async(3, category="few")
    page = await repository.list(
        ListParams(page=5, per_page=2, filters=[FilterParam(field="category", value="few")])
    )
    assert (page.total, page.items) == (3, [])


async def test_bad_params_from_code_are_rejected_too(repository: WidgetRepository) -> None:
    with pytest.raises(InvalidInput):
        await repository.list(ListParams(sort=[SortParam(field="__class__")]))
    with pytest.raises(InvalidInput):
        await repository.list(ListParams(filters=[FilterParam(field="price", value="many")]))
