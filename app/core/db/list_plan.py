"""List plans: the count and page statements of `BaseRepository.list`, built and compiled once per
shape of the request (its filters' fields and operators, its sort), in read-only units of work
that read directly (app.core.db.direct).

Building two SQLAlchemy statements and their cache keys on every request costs more than
sending them (bench/RESULTS.md): a plan holds both compiled, with named parameters for the
filters' values, the limit and the offset, so a request checks and converts its values (the same
errors as ever) and sends them. Lists a plan cannot hold are built per request as before: the
caller's own conditions (`where`), whose values SQLAlchemy extracts per statement, and `IN`
filters, which SQLAlchemy expands at execution.
"""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Select, bindparam, func, select
from sqlalchemy.orm import Mapper

from app.core.db.direct import CompiledRead, DirectReader
from app.core.db.listing import build_order_by, checked_filters, condition
from app.core.db.params import FilterOperator, ListParams
from app.core.db.snapshot import SnapshotReader

LIMIT, OFFSET = "page_limit", "page_offset"
_EXPANDING = frozenset({FilterOperator.IN, FilterOperator.NOT_IN})


@dataclass(frozen=True, slots=True)
class ListPlan:
    count: CompiledRead
    page: CompiledRead


def plan_values(mapper: Mapper[Any], params: ListParams) -> tuple[tuple[Any, ...], dict[str, Any]] | None:
    """The request's shape and its values by parameter name, its filters checked; None when no
    plan can hold it."""
    shape: list[Any] = []
    values: dict[str, Any] = {LIMIT: params.per_page, OFFSET: params.offset}
    for index, (param, _, operand) in enumerate(checked_filters(mapper, params.filters or ())):
        if param.operator in _EXPANDING:
            return None
        if param.operator is FilterOperator.IS_NULL:
            shape.append((param.field, param.operator, operand))  # no value: part of the SQL
        else:
            shape.append((param.field, param.operator))
            values[f"filter_{index}"] = operand
    sort = tuple((param.field, param.direction) for param in params.sort or ())
    return (tuple(shape), sort), values


def build_plan(
    reader: DirectReader,
    snapshots: SnapshotReader,
    mapper: Mapper[Any],
    params: ListParams,
    *,
    include_deleted: bool,
) -> ListPlan | None:
    """The plan of `params`' shape, its values left as named parameters."""
    conditions = []
    for index, (param, column, operand) in enumerate(checked_filters(mapper, params.filters or ())):
        if param.operator is FilterOperator.IS_NULL:
            conditions.append(condition(param.operator, column, operand))
        else:
            named = bindparam(f"filter_{index}", type_=column.type)
            conditions.append(condition(param.operator, column, named))
    alive = [] if include_deleted else list(snapshots.alive)
    count = select(func.count()).select_from(mapper.local_table).where(*conditions, *alive)
    page: Select[Any] = (
        snapshots.select(*conditions, include_deleted=include_deleted)
        .order_by(*build_order_by(mapper, params.sort or ()))
        .limit(bindparam(LIMIT, type_=Integer()))
        .offset(bindparam(OFFSET, type_=Integer()))
    )
    compiled_count, compiled_page = reader.compile_once(count), reader.compile_once(page)
    if compiled_count is None or compiled_page is None:
        return None
    return ListPlan(compiled_count, compiled_page)
