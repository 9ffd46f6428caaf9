"""Tasks of the example module (worker-process tests load them: `taskiq worker ... tests.example.tasks`).

Its payloads sit beside the tasks: nothing that pushes them is imported by the tasks (in a module
of app/, they are in `schemas/payloads.py`, under the services that push them)."""

import asyncio
from typing import Any

from app.core.log import logger
from app.core.queue import TaskPayload
from app.core.queue.task import BaseTask, queued
from tests.example.events import WidgetCreated
from tests.example.models import Widget


class CreateWidgetPayload(TaskPayload):
    __task_name__ = "example.create_widget"
    name: str
    announce: bool = False
    sleep: float = 0.0


class AlwaysFailsPayload(TaskPayload):
    __task_name__ = "example.always_fails"
    reason: str


class RecordPayload(TaskPayload):
    __task_name__ = "example.record_payload"
    label: str
    count: int = 1


class MarkedDeadPayload(TaskPayload):
    __task_name__ = "example.marked_dead"
    job: int


class HookFailsPayload(TaskPayload):
    __task_name__ = "example.hook_fails"
    job: int


class NoopPayload(TaskPayload):
    __task_name__ = "example.noop"
    # Names the test run.
    run: str


# What the recording tasks saw, for the tests to assert on.
recorded: list[RecordPayload] = []
told_dead: list[dict[str, Any]] = []


@queued
class CreateWidget(BaseTask[CreateWidgetPayload]):
    """Its effect is a row: the tests count rows to prove a task took effect exactly once."""

    async def run(self, payload: CreateWidgetPayload) -> dict[str, Any]:
        name = payload.name
        if payload.sleep:
            await self.platform.resources.redis.set(f"started:{name}", "1", ex=60)
            await asyncio.sleep(payload.sleep)
        widget = Widget(name=name)
        self.platform.session.add(widget)
        await self.platform.session.flush()
        logger.info("widget created by task", widget_id=widget.id)
        if payload.announce:
            self.platform.events.dispatch(WidgetCreated(id=widget.id, name=name))
        return {"widget_id": widget.id}


@queued
class AlwaysFails(BaseTask[AlwaysFailsPayload]):
    __max_attempts__ = 3

    async def run(self, payload: AlwaysFailsPayload) -> None:
        raise RuntimeError(payload.reason)


@queued
class Noop(BaseTask[NoopPayload]):
    """Does nothing: for tests of the queue's own bookkeeping."""

    async def run(self, payload: NoopPayload) -> None:
        del payload


@queued
class RecordPayloadTask(BaseTask[RecordPayload]):
    async def run(self, payload: RecordPayload) -> dict[str, int]:
        recorded.append(payload)
        return {"count": payload.count}


@queued
class MarkedDead(BaseTask[MarkedDeadPayload]):
    """Fails; its `dead_lettered` says what it was told, and from where."""

    __max_attempts__ = 2

    async def run(self, payload: MarkedDeadPayload) -> None:
        raise RuntimeError(f"job {payload.job} cannot be done")

    async def dead_lettered(self, payload: MarkedDeadPayload) -> None:
        told_dead.append({"job": payload.job, "in_unit_of_work": self.platform.session.in_transaction()})


@queued
class HookFails(BaseTask[HookFailsPayload]):
    __max_attempts__ = 2

    async def run(self, payload: HookFailsPayload) -> None:
        raise RuntimeError(f"job {payload.job} cannot be done")

    async def dead_lettered(self, payload: HookFailsPayload) -> None:
        raise RuntimeError(f"job {payload.job} cannot be marked either")
