from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from app.core.db import FilterParam, ListParams, SortParam

WidgetField = Literal["id", "name", "category", "price", "created_at", "deleted_at"]


class WidgetSortParam(SortParam):
    field: WidgetField


class WidgetFilterParam(FilterParam):
    field: WidgetField


class WidgetListParams(ListParams):
    sort: list[WidgetSortParam] | None = None
    filters: list[WidgetFilterParam] | None = None


class WidgetCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    category: str | None = Field(default=None, max_length=50)
    price: int = Field(default=0, ge=0, le=1_000_000)


class WidgetResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    category: str | None
    price: int
    created_at: datetime


class SecretForm(BaseModel):
    username: str = Field(min_length=3)
    password: SecretStr = Field(min_length=8)
