"""Generic data access for one model. Repositories hold SQL only: no business rules, no commits.

Inside a read-only unit of work (requests with a safe method) `get` and `list` read through
SQLAlchemy Core into snapshots (app.core.db.snapshot): the same attributes, none of the ORM's
per-row cost, their statements sent by the driver directly (app.core.db.direct) where the session
factory provides for it; elsewhere they return ORM objects, to be changed and flushed."""

from collections.abc import Collection, Mapping, Sequence
from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db.base import BaseModel
from app.core.db.direct import Reads, direct_reader_of
from app.core.db.list_plan import build_plan, plan_values
from app.core.db.listing import build_conditions, build_order_by
from app.core.db.params import ListParams, PaginatedResult
from app.core.db.snapshot import snapshot_reader
from app.core.db.soft_delete import INCLUDE_DELETED, SoftDeleteMixin
from app.core.db.unit_of_work import is_read_only

ModelT = TypeVar("ModelT", bound=BaseModel)


class BaseRepository(Generic[ModelT]):
    """CRUD and listing for `model`; subclasses add the queries their module needs.

    Models with SoftDeleteMixin are soft-deleted by `delete` and hidden from every read unless
    `include_deleted=True` is passed.
    """

    model: ClassVar[type[BaseModel]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._model = cast(type[ModelT], self.model)
        self._soft_delete = issubclass(self._model, SoftDeleteMixin)
        self._snapshots = snapshot_reader(self._model) if is_read_only(session) else None
        self._direct = direct_reader_of(session) if self._snapshots is not None else None

    def _select(self, *, include_deleted: bool = False) -> Select[ModelT]:
        return select(self._model).execution_options(**{INCLUDE_DELETED: include_deleted})

    def _reads(self) -> Reads:
        """Where a read-only unit of work's Core statements run: directly when the session
        factory provides for it, else through the session."""
        return Reads(self._direct, self.session)

    def _is_deleted(self, row: ModelT) -> bool:
        return self._soft_delete and cast(SoftDeleteMixin, row).is_deleted

    async def get(self, model_id: int, *, include_deleted: bool = False) -> ModelT | None:
        """The row, or None; a snapshot in a read-only unit of work."""
        if self._snapshots is not None:
            reader = self._snapshots
            statement = reader.by_id_with_deleted if include_deleted else reader.by_id
            async with self._reads() as reads:
                found = await reads.rows(statement, {"model_id": model_id}, static=True)
            return cast(ModelT, reader.make(found[0])) if found else None
        row = await self.session.get(
            self._model, model_id, execution_options={INCLUDE_DELETED: include_deleted}
        )
        # An object already in the identity map is returned without a query, so the soft-delete
        # filter has not seen it.
        if row is not None and not include_deleted and self._is_deleted(row):
            return None
        return row

    async def get_many(self, model_ids: Collection[int], *, include_deleted: bool = False) -> list[ModelT]:
        if not model_ids:
            return []
        statement = self._select(include_deleted=include_deleted).where(self._model.id.in_(model_ids))
        return list(await self.session.scalars(statement.order_by(self._model.id)))

    async def exists(self, model_id: int, *, include_deleted: bool = False) -> bool:
        statement = (
            select(self._model.id)
            .where(self._model.id == model_id)
            .limit(1)
            .execution_options(**{INCLUDE_DELETED: include_deleted})
        )
        return await self.session.scalar(statement) is not None

    async def create(self, values: Mapping[str, Any]) -> ModelT:
        row = self._model(**values)
        self.session.add(row)
        await self.session.flush()
        return row

    async def update(self, row: ModelT, values: Mapping[str, Any]) -> ModelT:
        for key, value in values.items():
            setattr(row, key, value)
        await self.session.flush()
        return row

    async def delete(self, row: ModelT, *, hard: bool = False) -> None:
        """Soft delete when the model supports it, unless `hard` is asked for."""
        if self._soft_delete and not hard:
            cast(SoftDeleteMixin, row).mark_deleted()
        else:
            await self.session.delete(row)
        await self.session.flush()

    async def restore(self, row: ModelT) -> ModelT:
        if not self._soft_delete:
            raise TypeError(f"{type(row).__name__} does not support soft delete")
        cast(SoftDeleteMixin, row).restore()
        await self.session.flush()
        return row

    async def list(
        self, params: ListParams, *where: ColumnElement[bool], include_deleted: bool = False
    ) -> PaginatedResult[ModelT]:
        """One page plus the total count; the page query is skipped when it would be empty.
        `where` adds conditions of the caller's own (a parent id, say) to the user's filters."""
        if self._snapshots is not None and self._direct is not None and not where:
            planned = await self._list_by_plan(params, include_deleted=include_deleted)
            if planned is not None:
                return planned
        mapper = self._model.__mapper__
        conditions = [*where, *build_conditions(mapper, params.filters or ())]
        order_by = build_order_by(mapper, params.sort or ())
        table = self._model.__table__
        alive = [] if include_deleted or not self._soft_delete else [table.c.deleted_at.is_(None)]

        # Counted from the table, `deleted_at IS NULL` written out: the same count with or
        # without the ORM.
        count_statement = (
            select(func.count())
            .select_from(table)
            .where(*conditions, *alive)
            .execution_options(**{INCLUDE_DELETED: True})
        )
        items: list[ModelT] = []
        if self._snapshots is None:
            total = int(await self.session.scalar(count_statement) or 0)
            if total > params.offset:
                page = self._select(include_deleted=include_deleted).where(*conditions)
                items = list(await self.session.scalars(_paged(page, params, order_by)))
        else:
            snapshots = self._snapshots
            async with self._reads() as reads:  # the count and the page on one connection
                total = int((await reads.rows(count_statement))[0][0])
                if total > params.offset:
                    page = snapshots.select(*conditions, include_deleted=include_deleted)
                    rows = await reads.rows(_paged(page, params, order_by))
                    items = [cast(ModelT, snapshots.make(row)) for row in rows]
        return PaginatedResult(items=items, total=total, page=params.page, per_page=params.per_page)

    async def _list_by_plan(
        self, params: ListParams, *, include_deleted: bool
    ) -> PaginatedResult[ModelT] | None:
        """The page and count through the list plan of the request's shape (app.core.db.list_plan);
        None when no plan holds it."""
        snapshots, reader, mapper = self._snapshots, self._direct, self._model.__mapper__
        assert snapshots is not None
        assert reader is not None
        planned = plan_values(mapper, params)
        if planned is None:
            return None
        shape, values = planned
        plan = reader.cached(
            (self._model, include_deleted, shape),
            lambda: build_plan(reader, snapshots, mapper, params, include_deleted=include_deleted),
        )
        if plan is None:
            return None
        items: list[ModelT] = []
        async with self._reads() as reads:  # the count and the page on one connection
            total = int((await reads.run(plan.count, plan.count.parameters(values, None)))[0][0])
            if total > params.offset:
                rows = await reads.run(plan.page, plan.page.parameters(values, None))
                items = [cast(ModelT, snapshots.make(row)) for row in rows]
        return PaginatedResult(items=items, total=total, page=params.page, per_page=params.per_page)


def _paged(statement: Select[Any], params: ListParams, order_by: Sequence[ColumnElement[Any]]) -> Select[Any]:
    return statement.order_by(*order_by).limit(params.per_page).offset(params.offset)
