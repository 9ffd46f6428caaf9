from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.core.db import FilterParam, ListParams, SortParam

# A room's name is one line of text: it is shown in lists and email subjects, where a line break
# or another control character (C0, DEL, C1, the Unicode line and paragraph separators) has no
# place. Spelled with escapes both ECMA-262 and pydantic's regex engine read alike.
SINGLE_LINE = r"^[^\x00-\x1f\x7f-\x9f\u2028\u2029]*$"

RoomField = Literal["id", "name", "owner_id", "created_at"]
MessageField = Literal["id", "author_id", "created_at"]


class RoomCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, pattern=SINGLE_LINE)


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
