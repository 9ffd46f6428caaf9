"""HTTP composition root: `create_app()` builds the API from the platform and the installed modules.

Run with `python -m app.cli serve` (what `make run`, the Procfile and the Docker image do): uvicorn
with the settings a deployment needs, see app/cli.py.
"""

from collections.abc import AsyncIterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from app.core.api import install_docs, install_exception_handlers, install_problem_openapi, operation_id
from app.core.config import AppConfig, BaseConfig, get_app_config
from app.core.events.middleware import install_events_middleware
from app.core.health import router as health_router
from app.core.log import configure_logging, logger
from app.core.middleware import install_middleware
from app.core.modules import (
    install_modules,
    load_module_settings,
    module_body_size_limits,
    module_lifespans,
    module_routers,
)
from app.core.runtime import freeze_startup_heap, open_resources
from app.modules import INSTALLED_MODULES


def create_app(
    config: AppConfig | None = None,
    modules: Sequence[str] = INSTALLED_MODULES,
    settings: Sequence[BaseConfig] = (),
) -> FastAPI:
    """`settings`: module settings instances (`AuthConfig(...)`) this app uses instead of the
    environment's; routes, limits and services read them through the app's platform."""
    config = config or get_app_config()
    configure_logging(config.LOG_LEVEL, config.log_format)
    # Tasks and listeners of the platform and of every module: the same registry the worker
    # installs, so whatever the API queues, the worker knows.
    registry = install_modules(modules)
    # Every installed module's settings, read now: a wrong one stops the app before it serves.
    module_settings = load_module_settings(config, modules, settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[dict[str, Any]]:
        resources = open_resources(config, registry, module_settings)
        await resources.start()
        try:
            # Modules stop (in reverse order) before the resources they use close.
            async with AsyncExitStack() as module_stack:
                state: dict[str, Any] = {"resources": resources}
                for module_lifespan in module_lifespans(modules):
                    state.update(await module_stack.enter_async_context(module_lifespan(resources)))
                freeze_startup_heap()
                logger.info("startup", environment=config.ENVIRONMENT.value, modules=list(modules))
                yield state
        finally:
            await resources.close()
            logger.info("shutdown")

    docs = config.docs_enabled
    app = FastAPI(
        title=config.PROJECT_NAME,
        debug=config.DEBUG,
        lifespan=lifespan,
        # Off outside development and testing unless DOCS_ENABLED: the schema maps the attack surface.
        openapi_url="/openapi.json" if docs else None,
        # Served from the app's own assets by install_docs (FastAPI's load them from a CDN).
        docs_url=None,
        redoc_url=None,
        # Telemetry providers are queried on every request; opt in where a collector exists.
        telemetry={"tracing": False, "metrics": False, "logs": False},
        generate_unique_id_function=operation_id,
    )
    install_exception_handlers(app)
    install_problem_openapi(app)
    install_docs(app, config)
    # Innermost: listeners of in-request events run after the response, still inside the
    # request context (request id in their logs).
    install_events_middleware(app, registry.local_handler)
    if config.METRICS_ENABLED:
        # Imported only for an app that collects metrics: prometheus_client loads an HTTP server,
        # urllib and gzip with it (~10 ms of `import app.main`).
        from app.core.metrics import MetricsMiddleware  # noqa: PLC0415
        from app.core.metrics import router as metrics_router  # noqa: PLC0415

        app.add_middleware(MetricsMiddleware, routes=lambda: app.routes)
        if config.metrics_endpoint_enabled:
            app.include_router(metrics_router, include_in_schema=False)
        else:
            logger.warning("GET /metrics is off outside development and testing until METRICS_TOKEN is set")
    install_middleware(app, config, module_body_size_limits(modules, module_settings, config.API_PREFIX))

    app.include_router(health_router)
    for router in module_routers(modules):
        app.include_router(router, prefix=config.API_PREFIX)

    if docs:

        @app.get("/", include_in_schema=False)
        async def root() -> RedirectResponse:
            return RedirectResponse("/docs")

    return app
