"""Adapter for taskiq-redis: the only code that overrides its private API (`_client` is ours,
`_ack_generator` is the library's). tests/core/queue/test_redis_streams.py fails if the
installed taskiq-redis changes what these overrides rely on.

Why, measured on this project's worker:
- taskiq-redis builds a new Redis client for every message it sends, every acknowledgement and
  every result it stores; building one costs more than the command it sends (about a tenth of a
  no-op task's time). Both classes keep one client per process on the library's own connection
  pool.
- XACK does not remove a stream entry, and taskiq-redis trims only by MAXLEN on XADD, which
  would also drop entries still waiting to run or to be acknowledged. The acknowledgement here
  deletes the entry in the same MULTI (XACK + XDEL), so the stream holds only what is unfinished:
  3,000 tasks leave it empty (tests/core/queue/test_retention.py), and an entry a worker is
  running is never touched. The stream has one consumer group (QUEUE_NAME): with a second group,
  XDEL would take entries from under it.

Processes that only publish (the API, the CLI) import neither this module nor taskiq: they send
with app.core.queue.stream_publisher, whose stream settings and XADD this broker shares.
"""

from collections.abc import Awaitable, Callable
from functools import cached_property
from typing import Any

from redis.asyncio import Redis
from taskiq import BrokerMessage, TaskiqResult
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from app.core.queue.stream_publisher import add_to_stream


class StreamBroker(RedisStreamBroker):
    @cached_property
    def _client(self) -> Redis:
        return Redis(connection_pool=self.connection_pool)

    async def kick(self, message: BrokerMessage) -> None:
        # The library's XADD (its queue_name label, maxlen), on the process's one client; the
        # same as processes without taskiq send (app.core.queue.stream_publisher).
        queue_name = message.labels.get("queue_name") or self.queue_name
        await add_to_stream(
            self._client, queue_name, message.message, maxlen=self.maxlen, approximate=self.approximate
        )

    def _ack_generator(self, id: str, queue_name: str) -> Callable[[], Awaitable[None]]:
        async def _ack() -> None:
            async with self._client.pipeline(transaction=True) as pipeline:
                pipeline.xack(queue_name, self.consumer_group_name, id)
                pipeline.xdel(queue_name, id)
                await pipeline.execute()

        return _ack


class ResultBackend(RedisAsyncResultBackend):  # type: ignore[type-arg]
    @cached_property
    def _client(self) -> Redis:
        return Redis(connection_pool=self.redis_pool)

    async def set_result(self, task_id: str, result: TaskiqResult[Any]) -> None:
        value = self.serializer.dumpb(result.model_dump(mode="json"))
        await self._client.set(name=self._task_name(task_id), value=value, ex=self.result_ex_time)
