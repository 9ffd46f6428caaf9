from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.api import NUL_FREE
from app.core.db import FilterParam, ListParams, SortParam

RoomField = Literal["id", "name", "owner_id", "created_at"]
MessageField = Literal["id", "author_id", "created_at"]


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=NUL_FREE)


class RoomResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    owner_id: int
    created_at: datetime


class MemberResponse(BaseModel):
    user_id: int
    username: str
    joined_at: datetime


class RoomSortParam(SortParam):
    field: RoomField


class RoomFilterParam(FilterParam):
    field: RoomField


class RoomListParams(ListParams):
    sort: list[RoomSortParam] | None = None
    filters: list[RoomFilterParam] | None = None


class MessageSortParam(SortParam):
    field: MessageField


class MessageFilterParam(FilterParam):
    field: MessageField


class MessageListParams(ListParams):
    sort: list[MessageSortParam] | None = None
    filters: list[MessageFilterParam] | None = None
