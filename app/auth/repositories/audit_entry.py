from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import AuditEntry
from app.core.db import ListParams, PaginatedResult
from app.core.db.listing import build_conditions, build_order_by


class AuditEntryRepository:
    """Append and read, never update (the table has no `updated_at`, hence no BaseRepository)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, values: Mapping[str, Any]) -> None:
        """Written with the transaction's other changes, at its flush or commit."""
        self.session.add(AuditEntry(**values))

    async def list(self, params: ListParams, *where: ColumnElement[bool]) -> PaginatedResult[AuditEntry]:
        """One page and the total count, as BaseRepository.list reads them."""
        mapper = AuditEntry.__mapper__
        conditions = [*where, *build_conditions(mapper, params.filters or ())]
        count = select(func.count()).select_from(AuditEntry).where(*conditions)
        total = int(await self.session.scalar(count) or 0)
        items: list[AuditEntry] = []
        if total > params.offset:
            page = (
                select(AuditEntry)
                .where(*conditions)
                .order_by(*build_order_by(mapper, params.sort or ()))
                .limit(params.per_page)
                .offset(params.offset)
            )
            items = list(await self.session.scalars(page))
        return PaginatedResult(items=items, total=total, page=params.page, per_page=params.per_page)

    async def list_for_user(self, params: ListParams, user_id: int) -> PaginatedResult[AuditEntry]:
        """The entries where the user acted or was acted upon."""
        return await self.list(params, or_(AuditEntry.actor_id == user_id, AuditEntry.target_id == user_id))

    async def delete_oldest(self, before: datetime, batch: int) -> int:
        """Delete up to `batch` entries older than `before`, oldest first; returns how many."""
        oldest = (
            select(AuditEntry.id)
            .where(AuditEntry.created_at < before)
            .order_by(AuditEntry.created_at)
            .limit(batch)
        )
        statement = delete(AuditEntry).where(AuditEntry.id.in_(oldest.scalar_subquery()))
        result = await self.session.execute(statement)
        return int(result.rowcount)  # type: ignore[attr-defined]
