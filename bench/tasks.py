"""Tasks used by the queue benchmark (the worker imports this module by name)."""

from app.core.queue import BaseTask, TaskPayload, queued


class NoopPayload(TaskPayload):
    __task_name__ = "bench.noop"


@queued
class Noop(BaseTask[NoopPayload]):
    async def run(self, payload: NoopPayload) -> None:
        del payload
