"""Queue throughput: no-op tasks pushed through the outbox and completed by one worker process."""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select

from app.core.config import get_app_config
from app.core.db import UnitOfWork
from app.core.modules import load_modules
from app.core.outbox import OutboxMessage
from app.core.resources import Resources
from app.core.services import TaskContext
from app.modules import INSTALLED_MODULES
from bench.servers import ROOT
from bench.tasks import Noop


@dataclass(frozen=True)
class QueueResult:
    tasks: int
    pushed_per_second: float
    completed_per_second: float


async def _completed(resources: Resources, first_id: int) -> int:
    async with resources.session_factory() as session:
        statement = select(func.count()).where(
            OutboxMessage.id >= first_id, OutboxMessage.completed_at.is_not(None)
        )
        return int(await session.scalar(statement) or 0)


async def _measure(tasks: int, queue_name: str) -> QueueResult:
    config = get_app_config().model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": queue_name})
    load_modules(INSTALLED_MODULES)
    resources = Resources.open(config)
    await resources.start()
    try:
        started = time.perf_counter()
        async with UnitOfWork(resources.session_factory) as unit_of_work:
            queue = TaskContext.build(resources, unit_of_work).queue
            ids = [await queue.push(Noop) for _ in range(tasks)]
        pushed = time.perf_counter() - started
        while await _completed(resources, ids[0]) < tasks:
            if time.perf_counter() - started > 120:
                raise TimeoutError("the worker did not complete the tasks in 120 s")
            await asyncio.sleep(0.05)
        elapsed = time.perf_counter() - started
        return QueueResult(tasks, tasks / pushed, tasks / elapsed)
    finally:
        async with resources.session_factory() as session, session.begin():
            await session.execute(delete(OutboxMessage).where(OutboxMessage.task_name == Noop.__task_name__))
        await resources.close()


def measure_queue(tasks: int) -> QueueResult:
    queue_name = f"bench-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "QUEUE_BROKER": "redis", "QUEUE_NAME": queue_name, "LOG_LEVEL": "WARNING"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "taskiq", "worker", "app.worker:broker", "bench.tasks", "--workers", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(3)  # worker startup (imports, consumer group)
        return asyncio.run(_measure(tasks, queue_name))
    finally:
        worker.terminate()
        worker.wait(timeout=30)
