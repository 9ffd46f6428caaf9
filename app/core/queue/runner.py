"""Running a task in a worker: one unit of work, idempotent on the outbox id, retried with backoff.

For a message that carries an outbox id the row is locked for the run, so two deliveries of one
message never run at once; the task's effects and the row's `completed_at` commit together, so a
message delivered again after success is skipped. A failure is recorded on the row: it is made
available again after an exponential backoff (the relay republishes it), and after the last
attempt it is dead-lettered with an error log.
"""

import asyncio
import random
from datetime import timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.exc import DBAPIError

from app.core.clock import utcnow
from app.core.db import UnitOfWork
from app.core.db.connection_unit_of_work import ConnectionUnitOfWork
from app.core.log import logger
from app.core.metrics.collectors import TASKS
from app.core.outbox.models import OutboxMessage
from app.core.platform import Platform
from app.core.queue.task import BaseTask
from app.core.resources import Resources

_MAX_ERROR_LENGTH = 2000
LOCK_NOT_AVAILABLE = "55P03"
# A locked message row is usually held for milliseconds (the publisher marking it published, the
# relay claiming it), or for a whole run by another delivery. The claim does not wait inside
# PostgreSQL (a lock_timeout would cost a round trip per task); it tries again after these pauses,
# about 5 s in all, and then leaves the message to the delivery running it.
CLAIM_RETRY_PAUSES = (0.02, 0.05, 0.1, 0.25, 0.5, 1.0, 1.0, 1.0, 1.0)

# One statement claims the message and marks it done, in the task's own transaction: if the task
# fails, the rollback undoes the mark; if it succeeds, the mark commits with the task's writes.
# The inner SELECT locks the row without waiting (a delivery running it holds the lock) and
# skips messages already completed or dead-lettered. Sent on the driver's connection
# (ConnectionUnitOfWork.fetch_one): it runs for every task, and SQLAlchemy's execution path
# costs more than its round trip.
_outbox = cast(Table, OutboxMessage.__table__)
_CLAIM_AND_COMPLETE = (
    update(_outbox)
    .where(
        _outbox.c.id
        == select(_outbox.c.id)
        .where(
            _outbox.c.id == bindparam("outbox_id"),
            _outbox.c.completed_at.is_(None),
            _outbox.c.dead_at.is_(None),
        )
        .with_for_update(nowait=True)
        .scalar_subquery()
    )
    .values(completed_at=bindparam("now"), updated_at=bindparam("now"), attempts=_outbox.c.attempts + 1)
    .returning(_outbox.c.payload, _outbox.c.context)
)


def retry_delay(attempt: int, base: float, maximum: float) -> timedelta:
    """Exponential backoff with up to 10% jitter: base, 2*base, 4*base, ... capped at maximum."""
    delay = min(maximum, base * 2 ** (attempt - 1))
    return timedelta(seconds=delay * (1 + random.random() / 10))  # noqa: S311 - jitter, not security


async def run_task(
    resources: Resources, task_class: type[BaseTask[Any]], outbox_id: int | None, data: dict[str, Any]
) -> dict[str, Any]:
    with structlog.contextvars.bound_contextvars(task=task_class.__task_name__, outbox_id=outbox_id):
        try:
            outcome = await _run_when_unlocked(resources, task_class, outbox_id, data)
        except Exception as error:
            if _is_locked(error):
                logger.info("task skipped", reason="running elsewhere")
                TASKS.labels(task_class.__task_name__, "skipped").inc()
                return {"status": "running elsewhere"}
            TASKS.labels(task_class.__task_name__, "failed").inc()
            if outbox_id is None:
                logger.exception("task failed")
            else:
                await _record_failure(resources, task_class, outbox_id, error)
            raise
        TASKS.labels(
            task_class.__task_name__, "completed" if outcome["status"] == "completed" else "skipped"
        ).inc()
        if outcome["status"] == "completed":
            # Periodic ticks (no outbox message) would flood the log at info level.
            (logger.info if outbox_id is not None else logger.debug)("task completed")
        else:
            logger.info("task skipped", reason=outcome["status"])
        return outcome


def _is_locked(error: Exception) -> bool:
    return isinstance(error, DBAPIError) and getattr(error.orig, "sqlstate", None) == LOCK_NOT_AVAILABLE


async def _run_when_unlocked(
    resources: Resources, task_class: type[BaseTask[Any]], outbox_id: int | None, data: dict[str, Any]
) -> dict[str, Any]:
    for pause in CLAIM_RETRY_PAUSES:
        try:
            return await _run(resources, task_class, outbox_id, data)
        except DBAPIError as error:
            if not _is_locked(error):
                raise
        await asyncio.sleep(pause)
    return await _run(resources, task_class, outbox_id, data)


async def _run(
    resources: Resources, task_class: type[BaseTask[Any]], outbox_id: int | None, data: dict[str, Any]
) -> dict[str, Any]:
    async with ConnectionUnitOfWork(resources.session_factory) as unit_of_work:
        if outbox_id is not None:
            claimed = await unit_of_work.fetch_one(
                _CLAIM_AND_COMPLETE, {"outbox_id": outbox_id, "now": utcnow()}
            )
            if claimed is None:
                # Completed, dead-lettered or unknown. (A delivery running it right now holds the
                # lock: that raises LOCK_NOT_AVAILABLE, "running elsewhere".) A worker that dies
                # releases the lock, and undoes its claim, with its connection.
                return {"status": "already done"}
            data, context = claimed
            structlog.contextvars.bind_contextvars(**context)
        # Validated back into the task's payload model: a stored row that no longer fits fails the
        # attempt (retried, then dead-lettered) instead of reaching `run` half-typed.
        payload = task_class.__payload__.model_validate(data)
        result = await task_class(Platform.build(resources, unit_of_work)).run(payload)
    return {"status": "completed", "result": result}


async def _record_failure(
    resources: Resources, task_class: type[BaseTask[Any]], outbox_id: int, error: Exception
) -> None:
    config = resources.config
    max_attempts = task_class.__max_attempts__ or config.QUEUE_MAX_ATTEMPTS
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        message = await unit_of_work.session.get(OutboxMessage, outbox_id, with_for_update=True)
        if message is None or message.is_finished:
            return
        message.attempts += 1
        # The type and message only: a traceback's locals could hold secrets.
        message.last_error = f"{type(error).__name__}: {error}"[:_MAX_ERROR_LENGTH]
        if message.attempts >= max_attempts:
            message.dead_at = utcnow()
            TASKS.labels(task_class.__task_name__, "dead_lettered").inc()
            logger.error(
                "task dead-lettered", attempts=message.attempts, error=message.last_error, exc_info=error
            )
            await _on_dead_letter(resources, task_class, unit_of_work, message.payload)
            return
        delay = retry_delay(message.attempts, config.QUEUE_RETRY_BASE_DELAY, config.QUEUE_RETRY_MAX_DELAY)
        message.available_at = utcnow() + delay
        message.published_at = None
        logger.warning(
            "task failed, will retry",
            attempts=message.attempts,
            retry_in_seconds=round(delay.total_seconds(), 1),
            error=message.last_error,
            exc_info=error,
        )


async def _on_dead_letter(
    resources: Resources, task_class: type[BaseTask[Any]], unit_of_work: UnitOfWork, data: dict[str, Any]
) -> None:
    """The task's own `dead_lettered`, in a savepoint: if it fails, the dead letter is still recorded."""
    try:
        async with unit_of_work.session.begin_nested():
            payload = task_class.__payload__.model_validate(data)
            await task_class(Platform.build(resources, unit_of_work)).dead_lettered(payload)
    except Exception:
        logger.exception("dead-letter hook failed")
