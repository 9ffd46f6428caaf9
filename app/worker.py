"""Worker composition root (taskiq).

    taskiq worker app.worker:broker          # runs tasks
    taskiq scheduler app.worker:scheduler    # kicks periodic tasks (outbox relay, module schedules)

The worker loads the same registrations as the API (platform + app.modules), so every task the
API can queue is known here.
"""

from prometheus_client import start_http_server
from taskiq import TaskiqEvents, TaskiqScheduler, TaskiqState
from taskiq.schedule_sources import LabelScheduleSource

from app.core.config import ModuleSettings, get_app_config
from app.core.log import configure_logging, logger
from app.core.metrics import registry
from app.core.modules import load_modules, module_settings_classes
from app.core.queue.broker import create_broker
from app.core.resources import Resources
from app.core.runtime import current_resources, freeze_startup_heap, push_runtime
from app.modules import INSTALLED_MODULES

config = get_app_config()
configure_logging(config.LOG_LEVEL, config.log_format)
broker = create_broker(config, current_resources)
load_modules(INSTALLED_MODULES)
scheduler = TaskiqScheduler(broker, [LabelScheduleSource(broker)])


@broker.on_event(TaskiqEvents.WORKER_STARTUP)
async def startup(state: TaskiqState) -> None:
    module_settings = ModuleSettings()
    module_settings.load(module_settings_classes(INSTALLED_MODULES))
    resources = Resources.open(config, broker=broker, module_settings=module_settings)
    state.resources = resources

    push_runtime(resources)
    if config.METRICS_WORKER_PORT:
        start_http_server(config.METRICS_WORKER_PORT, registry=registry)
    freeze_startup_heap()
    logger.info("worker startup", queue=config.QUEUE_NAME, modules=list(INSTALLED_MODULES))


@broker.on_event(TaskiqEvents.WORKER_SHUTDOWN)
async def shutdown(state: TaskiqState) -> None:
    await state.resources.close(stop_broker=False)
    logger.info("worker shutdown")
