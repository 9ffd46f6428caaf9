"""The taskiq broker of a process, with every registered task attached.

Redis Streams with a consumer group: a message is acknowledged only after its task ran, so a
worker killed mid-task has the message handed to another worker after QUEUE_IDLE_TIMEOUT_MS;
an acknowledged message is deleted from the stream (see app.core.queue.redis_streams).
Results are JSON (never pickle) and expire after QUEUE_RESULT_TTL.
"""

from collections.abc import Callable
from typing import Any

from taskiq import AsyncBroker, InMemoryBroker
from taskiq.kicker import AsyncKicker
from taskiq.serializers import JSONSerializer

from app.core.config import AppConfig
from app.core.queue.redis_streams import ResultBackend, StreamBroker
from app.core.queue.runner import run_task
from app.core.queue.stream_publisher import StreamSettings
from app.core.queue.task import BaseTask
from app.core.registry import Registry
from app.core.resources import Resources

RuntimeProvider = Callable[[], Resources]


def create_broker(config: AppConfig, registry: Registry, runtime: RuntimeProvider) -> AsyncBroker:
    """A broker that runs every task of `registry`; `runtime()` returns the Resources they run
    with in this process (set at startup)."""
    broker: AsyncBroker
    if config.QUEUE_BROKER == "memory":
        # Tasks run inside kick(): deterministic for tests; failures are recorded, not raised.
        broker = InMemoryBroker(await_inplace=True, propagate_exceptions=False)
    else:
        url = config.queue_redis_url
        stream = StreamSettings.of(config)  # the publishers' (app.core.queue.stream_publisher)
        broker = StreamBroker(
            url,
            queue_name=stream.stream,
            consumer_group_name=stream.consumer_group,
            consumer_id=stream.consumer_id,
            mkstream=stream.mkstream,
            maxlen=stream.maxlen,
            approximate=stream.approximate,
            idle_timeout=config.QUEUE_IDLE_TIMEOUT_MS,
            # A worker killed while reclaiming must not hold the reclaim lock forever.
            unacknowledged_lock_timeout=config.QUEUE_IDLE_TIMEOUT_MS / 1000,
            socket_connect_timeout=config.REDIS_TIMEOUT,
        ).with_result_backend(
            ResultBackend(
                url,
                result_ex_time=config.QUEUE_RESULT_TTL,
                serializer=JSONSerializer(),
                prefix_str=f"{config.QUEUE_NAME}:result",
                socket_connect_timeout=config.REDIS_TIMEOUT,
            )
        )

    for name, task_class in registry.tasks.items():
        if not issubclass(task_class, BaseTask):
            raise TypeError(f"task {name!r} ({task_class.__qualname__}) is not a BaseTask")
        schedule = task_class.schedule(config)
        labels = {"schedule": schedule} if schedule else {}
        broker.register_task(_executor(task_class, runtime), task_name=name, **labels)
    return broker


def _executor(task_class: type[BaseTask[Any]], runtime: RuntimeProvider) -> Callable[..., Any]:
    async def execute(outbox_id: int | None = None, **data: Any) -> dict[str, Any]:
        return await run_task(runtime(), task_class, outbox_id, data)

    execute.__name__ = execute.__qualname__ = task_class.__task_name__.replace(".", "_")
    return execute


class BrokerSender:
    """Sends tasks through a taskiq broker: the in-memory one (QUEUE_BROKER=memory), which runs
    each task inside the send. `owned`: started and stopped with the process's resources (not the
    worker's broker, which taskiq itself starts and stops)."""

    def __init__(self, broker: AsyncBroker, *, owned: bool) -> None:
        self.broker = broker
        self._owned = owned

    async def start(self) -> None:
        if self._owned:
            await self.broker.startup()

    async def send(self, task_name: str, task_id: str, kwargs: dict[str, Any]) -> None:
        kicker: AsyncKicker[..., object] = AsyncKicker(task_name, self.broker, labels={})
        await kicker.with_task_id(task_id).kiq(**kwargs)

    async def close(self) -> None:
        if self._owned:
            await self.broker.shutdown()
