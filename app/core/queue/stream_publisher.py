"""Publishing tasks to the workers' Redis stream without taskiq.

A process that only publishes (the API, the CLI) writes exactly what taskiq's broker would: the
message taskiq's kicker builds, serialized as its default formatter does, in the `data` field of an
XADD to the queue's stream. taskiq's package imports aiohttp, about 9 MB of every API process for
a single Redis command.

One source of truth with the worker's broker (app.core.queue.redis_streams): it is built from the
same `StreamSettings` and sends with the same `add_to_stream`. tests/core/queue/test_stream_publisher.py
fails if taskiq's own formatter stops producing `task_message`'s bytes.
"""

import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from app.core.config import AppConfig

# The stream entry's field that holds the message (taskiq-redis's).
DATA_FIELD = b"data"


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """The stream the workers read: where publishers add messages and how the stream is kept."""

    stream: str
    consumer_group: str
    # Where the consumer group starts reading when it is created: only messages added after it.
    consumer_id: str = "$"
    mkstream: bool = True
    # Trimming on XADD: none; acknowledged entries are deleted instead (see redis_streams).
    maxlen: int | None = None
    approximate: bool = True

    @classmethod
    def of(cls, config: AppConfig) -> "StreamSettings":
        # One consumer group, named like the queue (acknowledging deletes entries: see redis_streams).
        return cls(stream=config.QUEUE_NAME, consumer_group=config.QUEUE_NAME)


def task_message(task_name: str, task_id: str, kwargs: dict[str, Any]) -> bytes:
    """taskiq's message for a call with keyword arguments and no labels: its `TaskiqMessage`
    (fields in its order) as its default formatter dumps it (`json.dumps` of the fields)."""
    message = {
        "task_id": task_id,
        "task_name": task_name,
        "labels": {},
        "labels_types": {},
        "args": [],
        "kwargs": kwargs,
    }
    return json.dumps(message).encode()


async def add_to_stream(
    client: Redis, stream: str, data: bytes, *, maxlen: int | None, approximate: bool
) -> None:
    await client.xadd(stream, {DATA_FIELD: data}, maxlen=maxlen, approximate=approximate)


async def declare_consumer_group(client: Redis, settings: StreamSettings) -> None:
    """Create the workers' group (and the stream) if missing, as taskiq-redis's broker does at
    startup: a group created after messages were added would start past them."""
    try:
        await client.xgroup_create(
            settings.stream, settings.consumer_group, id=settings.consumer_id, mkstream=settings.mkstream
        )
    except ResponseError as error:
        if "BUSYGROUP" not in str(error):
            raise


class StreamPublisher:
    """Sends tasks to the workers' stream on a client of its own (connected on first use)."""

    def __init__(self, config: AppConfig) -> None:
        self.settings = StreamSettings.of(config)
        # Timeouts as the process's other Redis clients: a Redis that stops answering fails the
        # send (the message waits in the outbox for the relay) instead of holding the request.
        self._client = Redis.from_url(
            config.queue_redis_url,
            socket_connect_timeout=config.REDIS_TIMEOUT,
            socket_timeout=config.REDIS_TIMEOUT,
            health_check_interval=30,
        )

    async def start(self) -> None:
        await declare_consumer_group(self._client, self.settings)

    async def send(self, task_name: str, task_id: str, kwargs: dict[str, Any]) -> None:
        settings = self.settings
        data = task_message(task_name, task_id, kwargs)
        await add_to_stream(
            self._client, settings.stream, data, maxlen=settings.maxlen, approximate=settings.approximate
        )

    async def close(self) -> None:
        await self._client.aclose()
