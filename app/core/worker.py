"""`create_worker(config, modules, settings)`: a taskiq broker and scheduler for installed modules.

app/worker.py builds the deployed one from app.modules; the tests and the benchmark build theirs
(with a module of their own) with the same function.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import start_http_server
from taskiq import AsyncBroker, TaskiqEvents, TaskiqScheduler, TaskiqState
from taskiq.schedule_sources import LabelScheduleSource

from app.core.config import AppConfig, BaseConfig
from app.core.log import configure_logging, logger
from app.core.metrics import registry as metrics_registry
from app.core.modules import install_modules, load_module_settings
from app.core.queue.broker import create_broker
from app.core.resources import current_resources, push_current
from app.core.runtime import freeze_startup_heap, open_resources


class Scheduler(TaskiqScheduler):
    """Logs its startup and shutdown: taskiq's own lines for them are silenced with its per-tick
    lines (see app.core.log)."""

    async def startup(self) -> None:
        await super().startup()
        logger.info("scheduler startup")

    async def shutdown(self) -> None:
        await super().shutdown()
        logger.info("scheduler shutdown")


@dataclass(frozen=True, slots=True)
class Worker:
    broker: AsyncBroker
    scheduler: TaskiqScheduler


def create_worker(config: AppConfig, modules: Sequence[str], settings: Sequence[BaseConfig] = ()) -> Worker:
    """`settings`: module settings instances the worker uses instead of the environment's."""
    configure_logging(config.LOG_LEVEL, config.log_format)
    registry = install_modules(modules)
    broker = create_broker(config, registry, current_resources)

    @broker.on_event(TaskiqEvents.WORKER_STARTUP)
    async def startup(state: TaskiqState) -> None:
        # Read now, in the worker process: a wrong one stops it before it runs a task.
        module_settings = load_module_settings(config, modules, settings)
        resources = open_resources(config, registry, module_settings, broker=broker)
        state.resources = resources
        push_current(resources)
        if config.METRICS_WORKER_PORT:
            start_http_server(config.METRICS_WORKER_PORT, registry=metrics_registry)
        freeze_startup_heap()
        logger.info("worker startup", queue=config.QUEUE_NAME, modules=list(modules))

    @broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
    async def shutdown(state: TaskiqState) -> None:
        await state.resources.close()
        logger.info("worker shutdown")

    return Worker(broker, Scheduler(broker, [LabelScheduleSource(broker)]))
