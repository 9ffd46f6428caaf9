"""Turns ListParams into SQL: WHERE conditions from filters, ORDER BY from sort.

Field names are checked against the model's columns and raw filter values are converted to
each column's Python type here, so a bad list parameter is a 422 whether it came from a query
string or from code, and never reaches the database as something it would reject with a 500.
"""

from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import BigInteger, ColumnElement, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapper

from app.core.db.params import FilterOperator, FilterParam, SortParam
from app.core.errors import InvalidInput

MAX_IN_VALUES = 100

_INT_BITS = ((SmallInteger, 16), (BigInteger, 64), (Integer, 32))
_CONDITIONS: dict[FilterOperator, Callable[[ColumnElement[Any], Any], ColumnElement[bool]]] = {
    FilterOperator.EQ: lambda column, value: column == value,
    FilterOperator.NE: lambda column, value: column != value,
    FilterOperator.IN: lambda column, value: column.in_(value),
    FilterOperator.NOT_IN: lambda column, value: column.not_in(value),
    FilterOperator.LIKE: lambda column, value: column.like(value),
    FilterOperator.ILIKE: lambda column, value: column.ilike(value),
    FilterOperator.GT: lambda column, value: column > value,
    FilterOperator.GTE: lambda column, value: column >= value,
    FilterOperator.LT: lambda column, value: column < value,
    FilterOperator.LTE: lambda column, value: column <= value,
    FilterOperator.IS_NULL: lambda column, value: column.is_(None) if value else column.is_not(None),
}


class ListingError(InvalidInput):
    """A list parameter names an unknown field or carries a value its column cannot hold."""

    def __init__(self, param: str, field: str, message: str) -> None:
        super().__init__(
            [{"loc": ["query", param], "msg": f"{field}: {message}", "type": f"invalid_{param}"}],
            detail=f"Invalid {param} parameter.",
        )


@lru_cache(maxsize=64)
def _adapter(python_type: type[Any]) -> TypeAdapter[Any]:
    return TypeAdapter(python_type)


def _column(mapper: Mapper[Any], field: str, param: str) -> ColumnElement[Any]:
    # mapper.columns is keyed by attribute name and holds column attributes only, so neither
    # relationships nor arbitrary attributes of the class can be reached from a query string. The
    # table's own columns, not the class's attributes: conditions on them keep a statement Core.
    if field not in mapper.columns:
        raise ListingError(param, field, "unknown field")
    column: ColumnElement[Any] = mapper.columns[field]
    return column


def _convert(column: ColumnElement[Any], field: str, raw: str) -> Any:
    if "\x00" in raw:
        raise ListingError("filters", field, "NUL characters are not allowed")
    column_type = column.type
    if isinstance(column_type, String | Text):
        return raw
    try:
        python_type: Any = column_type.python_type
    except NotImplementedError:
        return raw
    try:
        value = _adapter(python_type).validate_python(raw)
    except ValidationError:
        raise ListingError("filters", field, f"{raw!r} is not a valid {python_type.__name__}") from None
    for sql_type, bits in _INT_BITS:
        if isinstance(column_type, sql_type) and not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise ListingError("filters", field, f"{raw!r} is out of range")
    return value


def _operand(column: ColumnElement[Any], param: FilterParam) -> Any:
    field, operator, value = param.field, param.operator, param.value
    if operator in (FilterOperator.IN, FilterOperator.NOT_IN):
        values = value if isinstance(value, list) else [value]
        if not values or any(item is None for item in values) or len(values) > MAX_IN_VALUES:
            raise ListingError("filters", field, f"expects a list of 1 to {MAX_IN_VALUES} values")
        return [_convert(column, field, item) for item in values if item is not None]
    if isinstance(value, list):
        raise ListingError("filters", field, f"operator {operator.value!r} takes a single value")
    if operator is FilterOperator.IS_NULL:
        return True if value is None else _adapter(bool).validate_python(value)
    if value is None:
        raise ListingError("filters", field, f"operator {operator.value!r} needs a value")
    if operator in (FilterOperator.LIKE, FilterOperator.ILIKE) and not isinstance(column.type, String | Text):
        raise ListingError("filters", field, f"operator {operator.value!r} applies to text fields only")
    return _convert(column, field, value)


def checked_filters(
    mapper: Mapper[Any], filters: Sequence[FilterParam]
) -> list[tuple[FilterParam, ColumnElement[Any], Any]]:
    """Each filter with its column and its value converted to the column's type (ListingError
    for an unknown field or a value the column cannot hold)."""
    checked = []
    for param in filters:
        column = _column(mapper, param.field, "filters")
        try:
            operand = _operand(column, param)
        except ValidationError:
            raise ListingError("filters", param.field, "expects true or false") from None
        checked.append((param, column, operand))
    return checked


def condition(operator: FilterOperator, column: ColumnElement[Any], operand: Any) -> ColumnElement[bool]:
    return _CONDITIONS[operator](column, operand)


def build_conditions(mapper: Mapper[Any], filters: Sequence[FilterParam]) -> list[ColumnElement[bool]]:
    return [
        condition(param.operator, column, operand)
        for param, column, operand in checked_filters(mapper, filters)
    ]


def build_order_by(mapper: Mapper[Any], sort: Sequence[SortParam]) -> list[ColumnElement[Any]]:
    """ORDER BY for `sort`, always ending with the primary key so pages never overlap or skip rows."""
    order: list[ColumnElement[Any]] = []
    seen: set[str] = set()
    for param in sort:
        column = _column(mapper, param.field, "sort")
        if param.field in seen:
            raise ListingError("sort", param.field, "sorted more than once")
        seen.add(param.field)
        order.append(column.desc() if param.direction == "desc" else column.asc())
    for key_column in mapper.primary_key:
        if mapper.get_property_by_column(key_column).key not in seen:
            order.append(key_column.asc())
    return order
