"""Background tasks on taskiq + Redis Streams, published through the outbox.

Tasks are declared with `BaseTask` and `@queued` (app.core.queue.task) and pushed with their
payload (`platform.queue.push(SomePayload(...))`). The broker is built by
`app.core.queue.broker.create_broker`, imported only by processes that run tasks (the worker, and
any process with QUEUE_BROKER=memory): taskiq pulls in aiohttp, too heavy for every module that
declares a task. Processes that only publish send with `app.core.queue.stream_publisher`."""

from app.core.queue.payload import TaskPayload
from app.core.queue.service import DefaultQueueService, QueueServiceInterface

__all__ = ["DefaultQueueService", "QueueServiceInterface", "TaskPayload"]
