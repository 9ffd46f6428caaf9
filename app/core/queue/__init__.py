"""Background tasks on taskiq + Redis Streams, published through the outbox."""

from app.core.queue.broker import create_broker
from app.core.queue.service import QueueService, QueueServiceInterface
from app.core.queue.task import BaseTask, queued, registered_tasks

__all__ = ["BaseTask", "QueueService", "QueueServiceInterface", "create_broker", "queued", "registered_tasks"]
