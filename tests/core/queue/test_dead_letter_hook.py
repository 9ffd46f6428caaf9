"""A task's `dead_lettered` runs once its last attempt has failed, so work it tracks elsewhere (a
job's status) can be marked failed; a hook that fails itself does not keep the dead letter from
being recorded."""

import io
import json

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.db import UnitOfWork
from app.core.outbox import OutboxMessage
from app.core.platform import Platform
from app.core.queue.runner import run_task
from app.core.resources import Resources
from tests.example.tasks import HookFails, HookFailsPayload, MarkedDead, MarkedDeadPayload, told_dead


async def dead_letter(resources: Resources, payload: MarkedDeadPayload | HookFailsPayload) -> int:
    task = MarkedDead if isinstance(payload, MarkedDeadPayload) else HookFails
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        # Published after commit: the in-memory broker runs the first attempt right away.
        outbox_id = await Platform.build(resources, unit_of_work).queue.push(payload)
    with pytest.raises(RuntimeError, match="cannot be done"):
        await run_task(resources, task, outbox_id, {})
    return outbox_id


async def test_the_hook_runs_once_with_the_task_arguments(
    resources: Resources, db_session: AsyncSession
) -> None:
    told_dead.clear()
    outbox_id = await dead_letter(resources, MarkedDeadPayload(job=7))
    assert told_dead == [{"job": 7, "in_unit_of_work": True}]
    db_session.expunge_all()
    message = await db_session.get(OutboxMessage, outbox_id)
    assert message is not None
    assert message.dead_at is not None


async def test_a_failing_hook_is_logged_and_still_leaves_a_dead_letter(
    resources: Resources, db_session: AsyncSession, log_lines: io.StringIO
) -> None:
    outbox_id = await dead_letter(resources, HookFailsPayload(job=8))
    records = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    [failed] = [record for record in records if record.get("event") == "dead-letter hook failed"]
    assert failed["task"] == "example.hook_fails"
    assert "cannot be marked either" in json.dumps(failed["exception"])
    db_session.expunge_all()
    message = await db_session.get(OutboxMessage, outbox_id)
    assert message is not None
    assert message.dead_at is not None
    assert message.attempts == 2
