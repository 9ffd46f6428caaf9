"""Generic data access for one model. Repositories hold SQL only: no business rules, no commits."""

from collections.abc import Collection, Mapping
from typing import Any, ClassVar, Generic, TypeVar, cast

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db.base import BaseModel
from app.core.db.listing import build_conditions, build_order_by
from app.core.db.params import ListParams, PaginatedResult
from app.core.db.soft_delete import INCLUDE_DELETED, SoftDeleteMixin

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

    def _select(self, *, include_deleted: bool = False) -> Select[ModelT]:
        return select(self._model).execution_options(**{INCLUDE_DELETED: include_deleted})

    def _is_deleted(self, row: ModelT) -> bool:
        return self._soft_delete and cast(SoftDeleteMixin, row).is_deleted

    async def get(self, model_id: int, *, include_deleted: bool = False) -> ModelT | None:
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
        mapper = self._model.__mapper__
        conditions = [*where, *build_conditions(mapper, params.filters or ())]
        order_by = build_order_by(mapper, params.sort or ())

        count_statement = (
            select(func.count())
            .select_from(self._model)
            .where(*conditions)
            .execution_options(**{INCLUDE_DELETED: include_deleted})
        )
        total = int(await self.session.scalar(count_statement) or 0)
        items: list[ModelT] = []
        if total > params.offset:
            page = (
                self._select(include_deleted=include_deleted)
                .where(*conditions)
                .order_by(*order_by)
                .limit(params.per_page)
                .offset(params.offset)
            )
            items = list(await self.session.scalars(page))
        return PaginatedResult(items=items, total=total, page=params.page, per_page=params.per_page)
