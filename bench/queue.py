"""Queue throughput: no-op tasks pushed through the outbox, then completed by one worker process;
and the same for the raw twin, a bare taskiq task on the same broker (bench/queue_twin.py).

The tasks are pushed (committed and published to the stream) before the worker starts, so the
two do not share the CPU: "pushed" is the API side's rate, "completed" the worker's, measured from
the first task's completion to the last one's (worker startup excluded). The kit's completions
are the outbox rows' `completed_at`; the twin's, the time each run returned as its result.
"""

import asyncio
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass

from redis.asyncio import Redis
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
from bench.queue_twin import create_twin_broker
from bench.servers import ROOT
from bench.tasks import NoopPayload

TIMEOUT_SECONDS = 180
# As the Procfile and docker-compose.yaml run it.
WORKER_OPTIONS = ["--workers", "1", "--max-async-tasks", "10"]
KIT_WORKER = "bench.worker:broker"
TWIN_WORKER = "bench.queue_twin_worker:broker"


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
        worker = _start_worker(queue_name, KIT_WORKER)
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


async def _measure_twin(tasks: int, queue_name: str) -> QueueResult:
    config = get_app_config().model_copy(update={"QUEUE_BROKER": "redis", "QUEUE_NAME": queue_name})
    twin = create_twin_broker(config)
    redis = Redis.from_url(config.queue_redis_url)
    await twin.broker.startup()
    try:
        started = time.perf_counter()
        sent = [await twin.noop.kiq() for _ in range(tasks)]
        pushed_per_second = tasks / (time.perf_counter() - started)
        worker = _start_worker(queue_name, TWIN_WORKER)
        try:
            # Acknowledging deletes the entry (app.core.queue.redis_streams), after the result is
            # stored: an empty stream is every task done.
            deadline = time.perf_counter() + TIMEOUT_SECONDS
            while await redis.xlen(queue_name) > 0:
                if time.perf_counter() > deadline:
                    raise TimeoutError(f"the worker did not complete the tasks in {TIMEOUT_SECONDS} s")
                await asyncio.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        ran_at = [(await task.get_result()).return_value for task in sent]
        return QueueResult(tasks, pushed_per_second, (tasks - 1) / (max(ran_at) - min(ran_at)))
    finally:
        await twin.broker.shutdown()
        keys = [key async for key in redis.scan_iter(f"{queue_name}*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()


def _start_worker(queue_name: str, target: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "QUEUE_BROKER": "redis", "QUEUE_NAME": queue_name, "LOG_LEVEL": "WARNING"}
    return subprocess.Popen(
        [sys.executable, "-m", "app.cli", "worker", "--broker", target, *WORKER_OPTIONS],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def measure_queue(tasks: int) -> QueueResult:
    """The kit: no-op tasks pushed through the outbox."""
    return asyncio.run(_measure(tasks, f"bench-{uuid.uuid4().hex[:8]}"))


def measure_queue_twin(tasks: int) -> QueueResult:
    """The twin: a bare taskiq no-op task on the same broker."""
    return asyncio.run(_measure_twin(tasks, f"bench-twin-{uuid.uuid4().hex[:8]}"))


@dataclass(frozen=True)
class QueueRounds:
    """The outbox-backed task and its bare twin over alternating rounds (median reported)."""

    kit_rounds: list[QueueResult]
    twin_rounds: list[QueueResult]

    @property
    def kit(self) -> float:
        return statistics.median(r.completed_per_second for r in self.kit_rounds)

    @property
    def twin(self) -> float:
        return statistics.median(r.completed_per_second for r in self.twin_rounds)

    @property
    def ratio(self) -> float:
        """Median over rounds of kit / twin completions per second."""
        pairs = zip(self.kit_rounds, self.twin_rounds, strict=True)
        return statistics.median(k.completed_per_second / t.completed_per_second for k, t in pairs)


def measure_queue_rounds(tasks: int, rounds: int) -> QueueRounds:
    kit_rounds: list[QueueResult] = []
    twin_rounds: list[QueueResult] = []
    for round_number in range(rounds):
        runs = [(measure_queue, kit_rounds), (measure_queue_twin, twin_rounds)]
        for run, results in runs if round_number % 2 == 0 else reversed(runs):
            results.append(run(tasks))
    return QueueRounds(kit_rounds, twin_rounds)
