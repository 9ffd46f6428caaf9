"""Queue throughput: no-op tasks pushed through the outbox, then completed by one worker process.

The tasks are pushed (committed and published to the stream) before the worker starts, so the
two do not share the CPU: "pushed" is the API side's rate, "completed" the worker's, measured from
the first task's completion to the last one's (worker startup excluded).
"""

import asyncio
import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

from sqlalchemy import delete, func, select

import bench
from app.core.config import get_app_config
from app.core.db import UnitOfWork
from app.core.modules import install_modules
from app.core.outbox import OutboxMessage
from app.core.platform import Platform
from app.core.resources import Resources
from app.core.runtime import open_resources
from app.modules import INSTALLED_MODULES
from bench.servers import ROOT
from bench.tasks import NoopPayload

TIMEOUT_SECONDS = 180
# As the Procfile and docker-compose.yaml run it.
WORKER_OPTIONS = ["--workers", "1", "--max-async-tasks", "10"]


@dataclass(frozen=True)
class QueueResult:
    tasks: int
    pushed_per_second: float
    completed_per_second: float


async def _push(resources: Resources, tasks: int) -> tuple[list[int], float]:
    started = time.perf_counter()
    async with UnitOfWork(resources.session_factory) as unit_of_work:
        queue = Platform.build(resources, unit_of_work).queue
        ids = [await queue.push(NoopPayload()) for _ in range(tasks)]
    return ids, tasks / (time.perf_counter() - started)


async def _completion_span(resources: Resources, ids: list[int]) -> tuple[int, float]:
    """(completed count, seconds from the first completion to the last)."""
    async with resources.session_factory() as session:
        count, first, last = (
            await session.execute(
                select(
                    func.count(OutboxMessage.completed_at),
                    func.min(OutboxMessage.completed_at),
                    func.max(OutboxMessage.completed_at),
                ).where(OutboxMessage.id.between(ids[0], ids[-1]))
            )
        ).one()
    return int(count), (last - first).total_seconds() if first and last else 0.0


async def _measure(tasks: int, queue_name: str) -> QueueResult:
    config = get_app_config().model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": queue_name})
    resources = open_resources(config, install_modules((*INSTALLED_MODULES, bench.__name__)))
    await resources.start()
    try:
        ids, pushed_per_second = await _push(resources, tasks)
        worker = _start_worker(queue_name)
        try:
            deadline = time.perf_counter() + TIMEOUT_SECONDS
            while (await _completion_span(resources, ids))[0] < tasks:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"the worker did not complete the tasks in {TIMEOUT_SECONDS} s")
                await asyncio.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        _, span = await _completion_span(resources, ids)
        return QueueResult(tasks, pushed_per_second, (tasks - 1) / span)
    finally:
        async with resources.session_factory() as session, session.begin():
            await session.execute(
                delete(OutboxMessage).where(OutboxMessage.task_name == NoopPayload.task_name())
            )
        await resources.close()


def _start_worker(queue_name: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QUEUE_BROKER": "redis", "QUEUE_NAME": queue_name, "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", "--broker", "bench.worker:broker", *WORKER_OPTIONS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure_queue(tasks: int) -> QueueResult:
    return asyncio.run(_measure(tasks, f"bench-{uuid.uuid4().hex[:8]}"))
