"""Background tasks on taskiq + Redis Streams, published through the outbox.

The broker is built by `app.core.queue.broker.create_broker`, imported only by processes that
build one (at startup): taskiq pulls in aiohttp, too heavy for every module that declares a task."""

from app.core.queue.payload import TaskPayload
from app.core.queue.service import DefaultQueueService, QueueServiceInterface
from app.core.queue.task import BaseTask, queued, registered_tasks

__all__ = [
    "BaseTask",
    "DefaultQueueService",
    "QueueServiceInterface",
    "TaskPayload",
    "queued",
    "registered_tasks",
]
