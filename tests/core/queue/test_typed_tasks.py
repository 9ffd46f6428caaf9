"""Typed tasks: a payload is checked where it is built, before anything is written; the worker
hands `run` the payload model back. (A real worker runs them in test_worker_process.py.)"""

from typing import Any, cast

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage
from app.core.platform import Platform
from app.core.queue import TaskPayload
from app.core.queue.runner import run_task
from app.core.queue.task import BaseTask, queued
from app.core.resources import Resources
from tests.example.tasks import CreateWidgetPayload, RecordPayload, RecordPayloadTask
from tests.example.tasks import recorded as ran


async def outbox_rows(unit_of_work: UnitOfWork) -> int:
    return int(await unit_of_work.session.scalar(select(func.count(OutboxMessage.id))) or 0)


async def test_a_wrong_or_missing_field_fails_at_the_call_site_and_writes_nothing(
    resources: Resources,
) -> None:
    misspelt: dict[str, Any] = {"nmae": "typo"}
    wrong_type: dict[str, Any] = {"name": "ok", "sleep": "not a number"}
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        queue = Platform.build(resources, unit_of_work).queue
        before = await outbox_rows(unit_of_work)
        with pytest.raises(ValidationError, match="nmae"):
            await queue.push(CreateWidgetPayload(**misspelt))
        with pytest.raises(ValidationError, match="name"):
            await queue.push(CreateWidgetPayload())  # type: ignore[call-arg]
        with pytest.raises(ValidationError, match="sleep"):
            await queue.push(CreateWidgetPayload(**wrong_type))
        with pytest.raises(TypeError, match="TaskPayload"):
            await queue.push(cast(TaskPayload, {"name": "a dict"}))
        assert await outbox_rows(unit_of_work) == before


async def test_a_payload_no_registered_task_runs_is_refused(resources: Resources) -> None:
    class Orphan(TaskPayload):
        __task_name__ = "example.no_such_task"

    async with UnitOfWork(resources.session_factory) as unit_of_work:
        queue = Platform.build(resources, unit_of_work).queue
        with pytest.raises(LookupError, match="no_such_task"):
            await queue.push(Orphan())


async def test_the_in_memory_broker_runs_the_task_with_its_payload_model(resources: Resources) -> None:
    ran.clear()
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        outbox_id = await Platform.build(resources, unit_of_work).queue.push(RecordPayload(label="typed"))
        stored = await unit_of_work.session.get(OutboxMessage, outbox_id)
        assert stored is not None
        assert (stored.task_name, stored.payload) == (
            "example.record_payload",
            {"label": "typed", "count": 1},
        )
    # Published after commit: the in-memory broker has run it.
    assert ran == [RecordPayload(label="typed", count=1)]
    assert isinstance(ran[0], RecordPayload)


async def test_a_stored_payload_that_no_longer_fits_fails_the_attempt(resources: Resources) -> None:
    ran.clear()
    with pytest.raises(ValidationError, match="label"):
        await run_task(resources, RecordPayloadTask, None, {"count": 2})
    assert ran == []


def test_a_task_names_itself_through_its_payload() -> None:
    assert RecordPayloadTask.__task_name__ == "example.record_payload"
    assert RecordPayloadTask.__payload__ is RecordPayload
    with pytest.raises(TypeError, match="must declare its payload"):

        @queued
        class Untyped(BaseTask):  # type: ignore[type-arg]
            async def run(self, payload: Any) -> None:
                del payload
