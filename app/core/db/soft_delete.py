"""Soft delete: rows keep existing with `deleted_at` set and disappear from ordinary queries.

A `do_orm_execute` hook adds `deleted_at IS NULL` to every ORM select touching a
`SoftDeleteMixin` model (joins, relationship loads and counts included). Opt out per statement
with `.execution_options(include_deleted=True)`.
"""

from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, with_loader_criteria

from app.core.clock import utcnow

INCLUDE_DELETED = "include_deleted"


class SoftDeleteMixin:
    deleted_at: Mapped[datetime | None] = mapped_column(default=None, index=True)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    def mark_deleted(self) -> None:
        self.deleted_at = utcnow()

    def restore(self) -> None:
        self.deleted_at = None


@event.listens_for(Session, "do_orm_execute")
def _hide_soft_deleted_rows(state: ORMExecuteState) -> None:
    if (
        state.is_select
        and not state.is_column_load
        and not state.is_relationship_load
        and not state.execution_options.get(INCLUDE_DELETED, False)
    ):
        state.statement = state.statement.options(
            with_loader_criteria(
                SoftDeleteMixin,
                lambda cls: cls.deleted_at.is_(None),
                include_aliases=True,
            )
        )
