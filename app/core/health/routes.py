"""Liveness and readiness endpoints for orchestrators and load balancers."""

from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel

from app.core.api import error_responses
from app.core.deps import get_resources
from app.core.errors import ServiceUnavailable
from app.core.health.checks import database_check, redis_check, run_checks
from app.core.log import logger
from app.core.resources import Resources

router = APIRouter(prefix="/health", tags=["health"])


class LiveResponse(BaseModel):
    status: Literal["ok"] = "ok"


class ReadyResponse(BaseModel):
    status: Literal["ok"] = "ok"
    checks: dict[str, str]


@router.get("/live", summary="Liveness: the process is up", response_model=LiveResponse, status_code=200)
async def live() -> LiveResponse:
    """Answers without touching any backing service, so a slow database never restarts the process."""
    return LiveResponse()


@router.get(
    "/ready",
    summary="Readiness: PostgreSQL and Redis are reachable",
    response_model=ReadyResponse,
    status_code=200,
    responses=error_responses(503),
)
async def ready(resources: Annotated[Resources, Depends(get_resources)]) -> ReadyResponse:
    """503 problem+json naming each unavailable service while any of them is down."""
    checks = await run_checks(
        {"database": database_check(resources.engine), "redis": redis_check(resources.redis)},
        seconds=resources.config.HEALTH_CHECK_TIMEOUT,
    )
    down = sorted(name for name, state in checks.items() if state != "ok")
    if down:
        logger.warning("not ready", unavailable=down)
        raise ServiceUnavailable(f"Unavailable: {', '.join(down)}.", extra={"checks": checks})
    return ReadyResponse(checks=checks)
