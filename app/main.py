"""HTTP composition root: `create_app()` builds the API from the platform and the installed modules.

Run with `uvicorn app.main:create_app --factory` (what `make run` does).
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi_events.middleware import EventHandlerASGIMiddleware

from app.core.api import install_exception_handlers, install_problem_openapi
from app.core.config import AppConfig, get_app_config
from app.core.events import local_handler
from app.core.health import router as health_router
from app.core.log import configure_logging, logger
from app.core.metrics import MetricsMiddleware
from app.core.metrics import router as metrics_router
from app.core.middleware import install_middleware
from app.core.modules import load_modules, module_routers
from app.core.resources import Resources
from app.core.runtime import freeze_startup_heap
from app.modules import INSTALLED_MODULES


def create_app(config: AppConfig | None = None, modules: Sequence[str] = INSTALLED_MODULES) -> FastAPI:
    config = config or get_app_config()
    configure_logging(config.LOG_LEVEL, config.log_format)
    # Models, listeners and tasks of the platform and of every module: the same registry the
    # worker loads, so whatever the API queues, the worker knows.
    load_modules(modules)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        resources = Resources.open(config)
        await resources.start()
        freeze_startup_heap()
        logger.info("startup", environment=config.ENVIRONMENT.value, modules=list(modules))
        try:
            yield {"resources": resources}
        finally:
            await resources.close()
            logger.info("shutdown")

    app = FastAPI(
        title=config.PROJECT_NAME,
        debug=config.DEBUG,
        lifespan=lifespan,
        # Telemetry providers are queried on every request; opt in where a collector exists.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    install_exception_handlers(app)
    install_problem_openapi(app)
    # Innermost: listeners of in-request events run after the response, still inside the
    # request context (request id in their logs).
    app.add_middleware(EventHandlerASGIMiddleware, handlers=[local_handler])
    if config.METRICS_ENABLED:
        app.add_middleware(MetricsMiddleware, routes=lambda: app.routes)
        app.include_router(metrics_router, include_in_schema=False)
    install_middleware(app, config)

    app.include_router(health_router)
    for router in module_routers(modules):
        app.include_router(router, prefix=config.API_PREFIX)

    @app.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse(app.docs_url or "/openapi.json")

    return app
