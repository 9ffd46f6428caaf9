"""The taskiq-redis adapter (app.core.queue.redis_streams) against the installed library and a
real Redis: these fail when taskiq-redis changes an internal the adapter overrides."""

import inspect
import uuid

from redis.asyncio import Redis
from taskiq import BrokerMessage, TaskiqResult
from taskiq.serializers import JSONSerializer
from taskiq_redis import RedisAsyncResultBackend, RedisStreamBroker

from app.core.config import AppConfig
from app.core.queue.redis_streams import ResultBackend, StreamBroker


def test_the_overridden_internals_are_still_the_librarys() -> None:
    # listen() builds each message's acknowledgement by calling _ack_generator(id=..., queue_name=...).
    assert list(inspect.signature(RedisStreamBroker._ack_generator).parameters) == [
        "self",
        "id",
        "queue_name",
    ]
    assert "self._ack_generator(" in inspect.getsource(RedisStreamBroker.listen)
    # kick() is rewritten on the adapter's client: the library's must still send just this.
    kick = inspect.getsource(RedisStreamBroker.kick)
    assert 'message.labels.get("queue_name") or self.queue_name' in kick
    assert '{b"data": message.message}' in kick
    assert "maxlen=self.maxlen" in kick
    assert "approximate=self.approximate" in kick
    assert list(inspect.signature(RedisAsyncResultBackend.set_result).parameters) == [
        "self",
        "task_id",
        "result",
    ]
    assert "self._task_name(" in inspect.getsource(RedisAsyncResultBackend.get_result)
    # `_client` is the adapter's own: the library must not mean something else by it.
    assert not hasattr(RedisStreamBroker, "_client")
    assert not hasattr(RedisAsyncResultBackend, "_client")


async def test_an_acknowledged_message_leaves_the_stream(app_config: AppConfig, redis: Redis) -> None:
    stream = f"adapter-{uuid.uuid4().hex[:8]}"
    broker = StreamBroker(
        app_config.REDIS_URL, queue_name=stream, consumer_group_name=stream, xread_block=100
    )
    await broker.startup()
    try:
        await redis.xadd(stream, {b"data": b"first"})
        await redis.xadd(stream, {b"data": b"second"})
        messages = broker.listen()
        received = await anext(messages)  # both are delivered (read in one XREADGROUP)
        assert received.data == b"first"
        assert (await redis.xlen(stream), (await redis.xpending(stream, stream))["pending"]) == (2, 2)
        acknowledgement = received.ack()
        assert acknowledgement is not None
        await acknowledgement
        # Gone from the stream and from the pending list; the other delivered one is untouched.
        assert (await redis.xlen(stream), (await redis.xpending(stream, stream))["pending"]) == (1, 1)
        await messages.aclose()
    finally:
        await redis.delete(stream)
        await broker.shutdown()


async def test_results_are_stored_as_json_with_their_expiry(app_config: AppConfig, redis: Redis) -> None:
    backend: ResultBackend = ResultBackend(
        app_config.REDIS_URL, result_ex_time=60, serializer=JSONSerializer(), prefix_str="adapter"
    )
    try:
        result: TaskiqResult[dict[str, int]] = TaskiqResult(
            is_err=False, return_value={"rows": 3}, execution_time=0.1
        )
        await backend.set_result("task-1", result)
        stored = await backend.get_result("task-1")
        assert stored.return_value == {"rows": 3}
        assert 0 < await redis.ttl("adapter:task-1") <= 60
    finally:
        await redis.delete("adapter:task-1")
        await backend.shutdown()


async def entries(redis: Redis, stream: str) -> list[object]:
    """The `data` field of each entry of `stream`, oldest first."""
    return [entry[b"data"] for _, entry in await redis.xrange(stream) or [] if entry is not None]


async def test_a_kicked_message_is_added_to_its_stream(app_config: AppConfig, redis: Redis) -> None:
    stream = f"adapter-{uuid.uuid4().hex[:8]}"
    broker = StreamBroker(app_config.REDIS_URL, queue_name=stream, consumer_group_name=stream)
    await broker.startup()
    try:
        await broker.kick(BrokerMessage(task_id="1", task_name="t", message=b"default", labels={}))
        labelled = {"queue_name": f"{stream}-other"}
        await broker.kick(BrokerMessage(task_id="2", task_name="t", message=b"labelled", labels=labelled))
        assert await entries(redis, stream) == [b"default"]
        assert await entries(redis, f"{stream}-other") == [b"labelled"]
    finally:
        await redis.delete(stream, f"{stream}-other")
        await broker.shutdown()
