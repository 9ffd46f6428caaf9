"""Worker composition root (taskiq).

    python -m app.cli worker       # runs tasks (taskiq worker app.worker:broker)
    python -m app.cli scheduler    # kicks periodic tasks (outbox relay, module schedules)

`create_worker(config, modules, settings)` installs the same modules as the API (app.modules), so
every task the API can queue is known here; `broker` and `scheduler` below are the environment's.
A worker of other modules or settings (a test's, a benchmark's) is built with the same function.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from prometheus_client import start_http_server
from taskiq import AsyncBroker, TaskiqEvents, TaskiqScheduler, TaskiqState
from taskiq.schedule_sources import LabelScheduleSource

from app.core.config import AppConfig, BaseConfig, ModuleSettings, get_app_config
from app.core.log import configure_logging, logger
from app.core.metrics import registry as metrics_registry
from app.core.modules import install_modules, module_settings_classes
from app.core.queue.broker import create_broker
from app.core.resources import current_resources, push_current
from app.core.runtime import freeze_startup_heap, open_resources
from app.modules import INSTALLED_MODULES


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


def create_worker(
    config: AppConfig, modules: Sequence[str] = INSTALLED_MODULES, settings: Sequence[BaseConfig] = ()
) -> Worker:
    """`settings`: module settings instances the worker uses instead of the environment's."""
    configure_logging(config.LOG_LEVEL, config.log_format)
    registry = install_modules(modules)
    broker = create_broker(config, registry, current_resources)

    @broker.on_event(TaskiqEvents.WORKER_STARTUP)
    async def startup(state: TaskiqState) -> None:
        # Read now, in the worker process: a wrong one stops it before it runs a task.
        module_settings = ModuleSettings(config, settings)
        module_settings.load(module_settings_classes(modules))
        resources = open_resources(config, registry, module_settings, broker=broker)
        state.resources = resources
        push_current(resources)
        if config.METRICS_WORKER_PORT:
            start_http_server(config.METRICS_WORKER_PORT, registry=metrics_registry)
        freeze_startup_heap()
        logger.info("worker startup", queue=config.QUEUE_NAME, modules=list(modules))

    @broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
    async def shutdown(state: TaskiqState) -> None:
        await state.resources.close(stop_broker=False)
        logger.info("worker shutdown")

    return Worker(broker, Scheduler(broker, [LabelScheduleSource(broker)]))


_worker = create_worker(get_app_config())
broker = _worker.broker
scheduler = _worker.scheduler
