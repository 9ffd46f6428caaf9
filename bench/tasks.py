"""Tasks used by the queue benchmark (the worker imports this module by name)."""

from app.core.queue import TaskPayload
from app.core.queue.task import BaseTask, queued


class NoopPayload(TaskPayload):
    __task_name__ = "bench.noop"


@queued
class Noop(BaseTask[NoopPayload]):
    async def run(self, payload: NoopPayload) -> None:
        del payload
