"""Declarative base shared by every module's models."""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, MetaData, func
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from app.core.clock import utcnow

# Stable constraint names make migrations reproducible and reviewable.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """The registry and MetaData of all application tables."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}  # noqa: RUF012 - SQLAlchemy reads it as is


class BaseModel(Base):
    """Every table gets a bigint identity key and aware UTC timestamps.

    Python-side defaults come from the clock helper (freezegun controls them); the server defaults
    cover rows written by raw SQL.
    """

    __abstract__ = True

    # sort_order: the key first and the timestamps last in every table, whatever the subclass declares.
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, sort_order=-100)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now(), sort_order=100)
    updated_at: Mapped[datetime] = mapped_column(
        default=utcnow, onupdate=utcnow, server_default=func.now(), sort_order=100
    )

    def to_dict(self) -> dict[str, Any]:
        """Column values by attribute name, for building DTOs and events."""
        return {column.key: getattr(self, column.key) for column in self.__mapper__.column_attrs}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} id={self.__dict__.get('id')}>"
