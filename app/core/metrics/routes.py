"""GET /metrics: Prometheus text format, for the scraper.

With METRICS_TOKEN set, only a request bearing it is answered (Prometheus: `authorization:` with
`credentials_file:` in the scrape config); outside development and testing the route is mounted
only then (see AppConfig.metrics_endpoint_enabled).
"""

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Header
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.exceptions import RedisError
from starlette.responses import Response

from app.core.api.problems import error_responses
from app.core.deps import get_resources
from app.core.errors import Unauthorized
from app.core.metrics.collectors import DB_POOL, QUEUE_DEPTH, registry
from app.core.resources import Resources


async def require_metrics_token(
    resources: Annotated[Resources, Depends(get_resources)],
    authorization: Annotated[str | None, Header()] = None,
) -> None:
    token = resources.config.METRICS_TOKEN
    if token is None:
        return
    expected = f"Bearer {token.get_secret_value()}".encode()
    if not secrets.compare_digest((authorization or "").encode(), expected):
        raise Unauthorized("GET /metrics needs the metrics token.")


router = APIRouter(tags=["health"], dependencies=[Depends(require_metrics_token)])


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
        200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Metrics in the Prometheus text format."},
        **error_responses(401),
    },
)
async def metrics(resources: Annotated[Resources, Depends(get_resources)]) -> Response:
    await _refresh(resources)
    return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)
