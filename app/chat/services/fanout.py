"""What travels between API processes for the chat's WebSockets, on Redis pub/sub.

- Room events (`<prefix>:<room id>`): every process's socket hub subscribes to the rooms its
  sockets are in, so all clients see the same messages in the same order (Redis's).
- Close orders (`<prefix>:control`): access that ended (revoked sessions, a room left or
  deleted) closes the matching sockets on every process. One connection carries both, so a
  close order published before a message is applied before that message is delivered.
"""

from enum import IntEnum
from typing import Any

import orjson
from pydantic import BaseModel, ConfigDict
from redis.asyncio import Redis


class CloseCode(IntEnum):
    """WebSocket close codes of the room socket (4000-4999 are the application's own)."""

    NOT_AUTHENTICATED = 4401
    NOT_A_MEMBER = 4403
    NO_SUCH_ROOM = 4404
    TOO_MANY_SOCKETS = 4429
    # The standard "try again later": Redis was unavailable, or the client read too slowly to
    # keep up with the room (it reconnects and catches up over REST).
    TRY_AGAIN_LATER = 1013


class CloseOrder(BaseModel):
    """Close every socket that matches all the fields given (None matches any)."""

    model_config = ConfigDict(frozen=True)

    code: CloseCode
    user_id: int | None = None
    session_id: int | None = None
    room_id: int | None = None
    api_key_id: int | None = None


def room_channel(prefix: str, room_id: int) -> str:
    return f"{prefix}:{room_id}"


def control_channel(prefix: str) -> str:
    return f"{prefix}:control"


async def publish(redis: Redis, prefix: str, room_id: int, event: dict[str, Any]) -> None:
    await redis.publish(room_channel(prefix, room_id), orjson.dumps(event))


async def publish_close(redis: Redis, prefix: str, order: CloseOrder) -> None:
    await redis.publish(control_channel(prefix), order.model_dump_json())


def revoked(user_id: int, session_id: int | None, api_key_id: int | None = None) -> CloseOrder:
    """The user's sockets (only those of `session_id`, or of the API key `api_key_id`, if given)
    lost their authentication."""
    return CloseOrder(
        code=CloseCode.NOT_AUTHENTICATED, user_id=user_id, session_id=session_id, api_key_id=api_key_id
    )


def left_room(room_id: int, user_id: int | None = None) -> CloseOrder:
    """The user (everyone, if None: the room is gone) is no longer a member of the room."""
    return CloseOrder(code=CloseCode.NOT_A_MEMBER, room_id=room_id, user_id=user_id)
