"""Database layer: models, unit of work, repositories and list parameters."""

from app.core.db.base import NAMING_CONVENTION, Base, BaseModel
from app.core.db.engine import PoolTimeout, create_engine, create_session_factory
from app.core.db.params import (
    MAX_PER_PAGE,
    FilterOperator,
    FilterParam,
    ListParams,
    PaginatedResult,
    SortParam,
)
from app.core.db.repository import BaseRepository
from app.core.db.soft_delete import INCLUDE_DELETED, SoftDeleteMixin
from app.core.db.unit_of_work import AfterCommitHook, ReadOnlyUnitOfWorkError, UnitOfWork

__all__ = [
    "INCLUDE_DELETED",
    "MAX_PER_PAGE",
    "NAMING_CONVENTION",
    "AfterCommitHook",
    "Base",
    "BaseModel",
    "BaseRepository",
    "FilterOperator",
    "FilterParam",
    "ListParams",
    "PaginatedResult",
    "PoolTimeout",
    "ReadOnlyUnitOfWorkError",
    "SoftDeleteMixin",
    "SortParam",
    "UnitOfWork",
    "create_engine",
    "create_session_factory",
]
