"""Tasks used by the queue benchmark (the worker imports this module by name)."""

from app.core.queue import BaseTask, queued


@queued
class Noop(BaseTask):
    __task_name__ = "bench.noop"

    async def run(self) -> None:
        return None
