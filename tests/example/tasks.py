"""Tasks of the example module (worker-process tests load them: `taskiq worker ... tests.example.tasks`)."""

import asyncio
from typing import Any

from app.core.log import logger
from app.core.queue import BaseTask, queued
from tests.example.events import WidgetCreated
from tests.example.models import Widget


@queued
class CreateWidget(BaseTask):
    """Its effect is a row: the tests count rows to prove a task took effect exactly once."""

    __task_name__ = "example.create_widget"

    async def run(self, name: str, announce: bool = False, sleep: float = 0.0) -> dict[str, Any]:
        if sleep:
            await self.platform.resources.redis.set(f"started:{name}", "1", ex=60)
            await asyncio.sleep(sleep)
        widget = Widget(name=name)
        self.platform.session.add(widget)
        await self.platform.session.flush()
        logger.info("widget created by task", widget_id=widget.id)
        if announce:
            self.platform.events.dispatch(WidgetCreated(id=widget.id, name=name))
        return {"widget_id": widget.id}


@queued
class AlwaysFails(BaseTask):
    __task_name__ = "example.always_fails"
    __max_attempts__ = 3

    async def run(self, reason: str) -> None:
        raise RuntimeError(reason)


@queued
class Noop(BaseTask):
    """Does nothing: for tests of the queue's own bookkeeping (`run` names the test run)."""

    __task_name__ = "example.noop"

    async def run(self, run: str) -> None:
        del run
