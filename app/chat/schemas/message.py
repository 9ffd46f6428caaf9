from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.core.api import NOT_BLANK, strip_whitespace

# Checked as documented (length and pattern of what was sent), then stored stripped.
Body = Annotated[str, StringConstraints(max_length=4000, pattern=NOT_BLANK), AfterValidator(strip_whitespace)]


class MessageCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: Body


class MessageUpdate(MessageCreate):
    pass


class MessageResponse(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    room_id: int
    author_id: int | None
    body: str
    created_at: datetime
    edited_at: datetime | None


class ClientFrame(BaseModel):
    """What a WebSocket client may send after authenticating."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["message", "ping"]
    body: Body | None = None


class AuthFrame(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal["auth"]
    token: str = Field(min_length=1, max_length=4096)
