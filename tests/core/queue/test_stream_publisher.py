"""The taskiq-free publisher (app.core.queue.stream_publisher) writes what taskiq's broker writes:
these fail when taskiq changes its message format or the worker's broker its stream."""

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from taskiq import BrokerMessage, InMemoryBroker
from taskiq.kicker import AsyncKicker

from app.core.config import AppConfig
from app.core.queue.broker import create_broker
from app.core.queue.redis_streams import StreamBroker
from app.core.queue.stream_publisher import StreamPublisher, StreamSettings, task_message
from app.core.resources import current_resources
from tests.core.queue.test_redis_streams import entries


class CapturingBroker(InMemoryBroker):
    """Keeps what taskiq's kicker sends."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[BrokerMessage] = []

    async def kick(self, message: BrokerMessage) -> None:
        self.sent.append(message)


@pytest.mark.parametrize(
    ("task_name", "task_id", "kwargs"),
    [
        ("outbox.relay", "outbox-1", {"outbox_id": 1}),
        ("example.créer_widget", "outbox-99999999999", {"outbox_id": 99999999999}),
        ("t", 'id "quoted" ✓', {"name": 'ünïcode \\ "quoted"', "ratio": 0.5, "flag": True, "none": None}),
    ],
)
async def test_the_message_is_the_one_taskiqs_kicker_sends(
    task_name: str, task_id: str, kwargs: dict[str, Any], app_config: AppConfig, app: FastAPI
) -> None:
    # Serialized the worker's broker's way (its formatter and serializer).
    workers = create_broker(
        app_config.model_copy(update={"QUEUE_BROKER": "redis"}),
        app.state.resources.registry,
        current_resources,
    )
    broker = CapturingBroker()
    broker.formatter = workers.formatter
    kicker: AsyncKicker[..., object] = AsyncKicker(task_name, broker, labels={})
    await kicker.with_task_id(task_id).kiq(**kwargs)
    [sent] = broker.sent
    assert task_message(task_name, task_id, kwargs) == sent.message
    # And the worker's broker reads it back as that call.
    received = workers.formatter.loads(task_message(task_name, task_id, kwargs))
    assert (received.task_name, received.task_id, received.kwargs) == (task_name, task_id, kwargs)


def test_the_workers_broker_reads_the_stream_the_publisher_writes(
    app_config: AppConfig, app: FastAPI
) -> None:
    config = app_config.model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": "tasks-settings"})
    broker = create_broker(config, app.state.resources.registry, current_resources)
    assert isinstance(broker, StreamBroker)
    settings = StreamSettings.of(config)
    assert settings.stream == broker.queue_name == "tasks-settings"
    assert settings.consumer_group == broker.consumer_group_name
    assert settings.consumer_id == broker.consumer_id
    assert settings.mkstream == broker.mkstream
    assert (settings.maxlen, settings.approximate) == (broker.maxlen, broker.approximate)


async def test_the_stream_entry_is_the_one_the_workers_broker_adds(
    app_config: AppConfig, redis: Redis
) -> None:
    stream = f"publisher-{uuid.uuid4().hex[:8]}"
    config = app_config.model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": stream})
    publisher = StreamPublisher(config)
    broker = StreamBroker(config.queue_redis_url, queue_name=stream, consumer_group_name=stream)
    message = task_message("outbox.relay", "outbox-7", {"outbox_id": 7})
    try:
        await publisher.send("outbox.relay", "outbox-7", {"outbox_id": 7})
        await broker.kick(
            BrokerMessage(task_id="outbox-7", task_name="outbox.relay", message=message, labels={})
        )
        added = [fields for _, fields in await redis.xrange(stream) or []]
        assert added == [{b"data": message}, {b"data": message}]
    finally:
        await redis.delete(stream)
        await publisher.close()
        await broker.shutdown()


async def test_messages_published_before_any_worker_started_are_delivered(
    app_config: AppConfig, redis: Redis
) -> None:
    """The publisher creates the workers' group at startup, as the taskiq broker did: a group a
    worker created later would start after these messages."""
    stream = f"publisher-{uuid.uuid4().hex[:8]}"
    config = app_config.model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": stream})
    publisher = StreamPublisher(config)
    broker = StreamBroker(
        config.queue_redis_url, queue_name=stream, consumer_group_name=stream, xread_block=100
    )
    try:
        await publisher.start()
        await publisher.start()  # the group exists: nothing happens
        await publisher.send("outbox.relay", "outbox-3", {"outbox_id": 3})
        await broker.startup()
        received = await anext(broker.listen())
        message = broker.formatter.loads(received.data)
        assert (message.task_name, message.task_id, message.kwargs) == (
            "outbox.relay",
            "outbox-3",
            {"outbox_id": 3},
        )
        assert await entries(redis, stream) == [received.data]
    finally:
        await redis.delete(stream)
        await publisher.close()
        await broker.shutdown()
