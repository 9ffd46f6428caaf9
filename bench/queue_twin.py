"""The queue's raw twin: a bare taskiq task on the kit's broker (app.core.queue.broker builds it:
the same Redis Streams broker class, settings and result backend), pushed with `kiq()`: no
outbox, no database, no unit of work."""

import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any

from taskiq import AsyncBroker, AsyncTaskiqDecoratedTask

from app.core.config import AppConfig
from app.core.log import configure_logging
from app.core.queue.broker import create_broker
from app.core.registry import Registry
from app.core.resources import Resources

TASK_NAME = "bench.noop_twin"


@dataclass(frozen=True)
class TwinBroker:
    broker: AsyncBroker
    # Returns when it ran (time.time()): the bench times the first completion to the last.
    noop: AsyncTaskiqDecoratedTask[[], Coroutine[Any, Any, float]]


def _no_runtime() -> Resources:
    raise RuntimeError("the twin's broker runs no task of the kit")


def create_twin_broker(config: AppConfig) -> TwinBroker:
    configure_logging(config.LOG_LEVEL, config.log_format)  # as the kit's worker logs
    broker = create_broker(config, Registry(), _no_runtime)

    async def noop() -> float:
        return time.time()

    return TwinBroker(broker, broker.register_task(noop, task_name=TASK_NAME))
