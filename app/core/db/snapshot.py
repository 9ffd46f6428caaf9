"""Snapshots: what repositories return inside a read-only unit of work.

A read-only unit of work writes nothing, so the ORM's instance machinery (identity map, change
tracking, instance loading, the soft-delete hook) is pure cost there. Its repositories read through
SQLAlchemy Core instead, into snapshots: immutable tuples with the model's column attributes and
its own properties and methods (`user.email_verified`, `key.prefix`), in no session. Views read
them exactly like ORM objects (`model_validate(..., from_attributes=True)`). Changing one fails at
once (AttributeError), as a flush would fail in a read-only unit of work anyway.

A model whose rows a flat tuple cannot hold (composite primary key, inheritance, an attribute
named with a leading underscore) has no snapshot class: its repositories keep the ORM.
"""

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache, partial
from types import FunctionType
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, bindparam, inspect, select
from sqlalchemy.orm import Mapper

from app.core.db.soft_delete import INCLUDE_DELETED, SoftDeleteMixin


@dataclass(frozen=True, slots=True)
class SnapshotReader:
    """How one model is read into snapshots: its columns, the statements by id, the tuple type."""

    columns: Sequence[Column[Any]]
    # `deleted_at IS NULL` for soft-deletable models (empty otherwise): in the statement, not added
    # by the ORM hook, which Core statements marked INCLUDE_DELETED skip.
    alive: Sequence[ColumnElement[bool]]
    by_id: Select[Any]
    by_id_with_deleted: Select[Any]
    make: Callable[[Sequence[Any]], Any]

    def select(self, *where: ColumnElement[bool], include_deleted: bool) -> Select[Any]:
        conditions = [*where] if include_deleted else [*where, *self.alive]
        return select(*self.columns).where(*conditions).execution_options(**{INCLUDE_DELETED: True})


def _behaviour(model: type) -> dict[str, Any]:
    """The model's own properties and methods (not SQLAlchemy's), for its snapshots to carry."""
    found: dict[str, Any] = {}
    for klass in reversed(model.__mro__):
        if klass is object or klass.__module__.startswith("sqlalchemy"):
            continue
        for name, value in vars(klass).items():
            if not name.startswith("__") and isinstance(value, property | FunctionType):
                found[name] = value
    return found


@cache
def snapshot_reader(model: type) -> SnapshotReader | None:
    """The model's reader, built once; None when its rows need the ORM (see the module's doc)."""
    mapper: Mapper[Any] = inspect(model)
    keys = [prop.key for prop in mapper.column_attrs]
    if (
        mapper.inherits is not None
        or mapper.polymorphic_on is not None
        or len(mapper.primary_key) != 1
        or any(key.startswith("_") for key in keys)
    ):
        return None
    # A mapped_column's first column is the table's own: no ORM annotations, so the statements
    # stay Core statements (the ORM's compile and execute paths are skipped).
    columns = [mapper.get_property(key).columns[0] for key in keys]
    fields = namedtuple(f"{model.__name__}Snapshot", keys)  # type: ignore[misc]
    behaviour = {name: value for name, value in _behaviour(model).items() if name not in keys}
    namespace = {"__slots__": (), "__module__": model.__module__, **behaviour}
    snapshot_type: Any = type(fields.__name__, (fields,), namespace)
    table = mapper.local_table
    alive = [table.c.deleted_at.is_(None)] if issubclass(model, SoftDeleteMixin) else []
    with_deleted = select(*columns).where(mapper.primary_key[0] == bindparam("model_id"))
    with_deleted = with_deleted.execution_options(**{INCLUDE_DELETED: True})
    return SnapshotReader(
        columns=columns,
        alive=alive,
        by_id=with_deleted.where(*alive),
        by_id_with_deleted=with_deleted,
        # tuple.__new__ straight from the row: the columns are the fields, in order.
        make=partial(tuple.__new__, snapshot_type),
    )
