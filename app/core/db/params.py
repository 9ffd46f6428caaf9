"""List parameters (sorting, filtering, pagination) and the paginated result.

Modules narrow `SortParam.field` / `FilterParam.field` to the columns they allow, e.g.::

    class UserSortParam(SortParam):
        field: Literal["id", "username", "created_at"]
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from math import ceil
from typing import Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
# Keeps OFFSET far inside bigint; deeper pages call for filters or keyset pagination.
MAX_PAGE = 100_000


class FilterOperator(StrEnum):
    EQ = "eq"
    NE = "ne"
    IN = "in"
    NOT_IN = "nin"
    LIKE = "like"
    ILIKE = "ilike"
    GT = "gt"
    GTE = "gte"
    LT = "lt"
    LTE = "lte"
    IS_NULL = "isnull"


class SortParam(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    direction: Literal["asc", "desc"] = "asc"


class FilterParam(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    field: str
    operator: FilterOperator = FilterOperator.EQ
    # Raw value(s) as given; the repository converts them to the column's type.
    value: str | list[str] | None = None


class ListParams(BaseModel):
    model_config = ConfigDict(extra="forbid")

    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=DEFAULT_PER_PAGE, ge=1, le=MAX_PER_PAGE)
    sort: Sequence[SortParam] | None = Field(default=None, description="Sorting parameters")
    filters: Sequence[FilterParam] | None = Field(default=None, description="Filtering parameters")

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


T = TypeVar("T")
U = TypeVar("U")


@dataclass(frozen=True, slots=True)
class PaginatedResult(Generic[T]):
    items: Sequence[T]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return ceil(self.total / self.per_page) if self.per_page else 0

    def map(self, convert: Callable[[T], U]) -> "PaginatedResult[U]":
        """Same page with every item converted (ORM rows to DTOs, for instance)."""
        return PaginatedResult([convert(item) for item in self.items], self.total, self.page, self.per_page)
