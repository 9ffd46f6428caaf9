from typing import Any

from app.core.events.service import DELIVER_EVENT_TASK, deliver
from app.core.queue.task import BaseTask, queued


@queued
class DeliverEvent(BaseTask):
    """Durable events: the listeners run in a worker, retried like any task."""

    __task_name__ = DELIVER_EVENT_TASK

    async def run(self, name: str, payload: Any) -> None:
        await deliver(name, payload)
