"""The JSON shape of a page of results."""

from collections.abc import Callable
from typing import Any, Generic, Self, TypeVar

from pydantic import BaseModel, Field

from app.core.db import PaginatedResult

ItemT = TypeVar("ItemT")


class PaginatedResponse(BaseModel, Generic[ItemT]):
    items: list[ItemT]
    total: int = Field(description="Number of items matching the filters, on all pages.")
    page: int
    per_page: int
    pages: int

    @classmethod
    def from_result(cls, result: PaginatedResult[Any], convert: Callable[[Any], ItemT] | None = None) -> Self:
        """Build from a repository page; items are converted by `convert` or read from attributes."""
        items = [convert(item) for item in result.items] if convert else list(result.items)
        data = {
            "items": items,
            "total": result.total,
            "page": result.page,
            "per_page": result.per_page,
            "pages": result.pages,
        }
        return cls.model_validate(data, from_attributes=True)
