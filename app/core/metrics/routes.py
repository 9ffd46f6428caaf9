"""GET /metrics: Prometheus text format, for the scraper (keep it off the public network)."""

from typing import Annotated

from fastapi import APIRouter, Depends
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from starlette.responses import Response

from app.core.deps import get_resources
from app.core.metrics.registry import DB_POOL, QUEUE_DEPTH, registry
from app.core.resources import Resources

router = APIRouter(tags=["health"])


async def _refresh(resources: Resources) -> None:
    for name, engine in (("write", resources.engine), ("read", resources.read_engine)):
        pool = engine.pool
        for state, value in (
            ("checked_out", getattr(pool, "checkedout", lambda: 0)()),
            ("idle", getattr(pool, "checkedin", lambda: 0)()),
            ("overflow", max(0, getattr(pool, "overflow", lambda: 0)())),
        ):
            DB_POOL.labels(name, state).set(value)
    config = resources.config
    if config.QUEUE_BROKER != "redis":
        return
    try:
        QUEUE_DEPTH.labels("stream").set(await resources.redis.xlen(config.QUEUE_NAME))
        pending = await resources.redis.xpending(config.QUEUE_NAME, config.QUEUE_NAME)
        QUEUE_DEPTH.labels("pending").set(int(pending.get("pending", 0)))
    except RedisError:
        QUEUE_DEPTH.labels("stream").set(float("nan"))


@router.get(
    "/metrics",
    summary="Prometheus metrics of this process",
    response_class=Response,
    responses={
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Metrics in the Prometheus text format."}
    },
)
async def metrics(resources: Annotated[Resources, Depends(get_resources)]) -> Response:
    await _refresh(resources)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
