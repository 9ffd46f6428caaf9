"""Fan-out of room events through Redis pub/sub: every API process subscribes for the rooms its
WebSocket clients are in, so all clients see the same messages in the same order (Redis's)."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from redis.asyncio import Redis


def channel(prefix: str, room_id: int) -> str:
    return f"{prefix}:{room_id}"


async def publish(redis: Redis, prefix: str, room_id: int, event: dict[str, Any]) -> None:
    await redis.publish(channel(prefix, room_id), orjson.dumps(event))


@asynccontextmanager
async def subscription(
    redis: Redis, prefix: str, room_id: int
) -> AsyncIterator[AsyncIterator[dict[str, Any]]]:
    """Subscribed on entry (nothing published afterwards is missed); yields the room's events."""
    async with redis.pubsub(ignore_subscribe_messages=True) as pubsub:
        await pubsub.subscribe(channel(prefix, room_id))

        async def events() -> AsyncIterator[dict[str, Any]]:
            async for item in pubsub.listen():
                if item["type"] == "message":
                    yield orjson.loads(item["data"])

        yield events()
