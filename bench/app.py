"""The app under test: the real application plus routes that exist only for benchmarks (a cached
GET, the one-row reference, the raw twins of bench/twins.py). Everything is served by the app's
own process and middleware; only the bench starts this app."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import APIRouter, FastAPI
from fastapi.responses import Response
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel
from sqlalchemy.engine import make_url

from app.core.cache import cached
from app.core.config import AppConfig, get_app_config
from app.main import create_app
from bench import login_twin, twins

router = APIRouter(prefix="/bench", include_in_schema=False)


class Item(BaseModel):
    id: int
    name: str
    tags: list[str]


@router.get("/cached/{item_id}")
@cached(ttl=300, namespace="bench", key_builder=lambda item_id, **_: str(item_id))
async def cached_item(item_id: int) -> Item:
    """A cached GET: after the first call, one Redis GET and a JSON round trip."""
    return Item(id=item_id, name=f"item {item_id}", tags=["a", "b", "c"])


_raw_pool: list[AsyncConnectionPool] = []


async def _pool() -> AsyncConnectionPool:
    if not _raw_pool:
        url = make_url(get_app_config().DATABASE_URL).set(drivername="postgresql")
        pool = AsyncConnectionPool(
            url.render_as_string(hide_password=False), min_size=4, max_size=10, open=False
        )
        await pool.open()
        _raw_pool.append(pool)
    return _raw_pool[0]


@router.get("/raw/users/{user_id}")
async def raw_user(user_id: int) -> Response:
    """The reference: one row by primary key with a bare psycopg pool, no ORM, no dependencies."""
    pool = await _pool()
    async with pool.connection() as connection:
        cursor = await connection.execute(
            "SELECT id, username, created_at FROM auth_user WHERE id = %s AND deleted_at IS NULL", (user_id,)
        )
        row = await cursor.fetchone()
    if row is None:
        return Response(status_code=404)
    body = {"id": row[0], "username": row[1], "created_at": row[2].isoformat()}
    return Response(orjson.dumps(body), media_type="application/json")


def create_bench_app(config: AppConfig | None = None) -> FastAPI:
    app = create_app(config)
    app.include_router(router)
    app.include_router(twins.router)
    app.include_router(login_twin.router)
    kit_lifespan = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(application: FastAPI) -> AsyncIterator[dict[str, Any]]:
        # The twins' pool opens after the kit's resources and closes before them.
        async with kit_lifespan(application) as state:
            kit_state = dict(state or {})
            async with twins.twin_pool(kit_state["resources"].config) as pool:
                yield {**kit_state, "twin_pool": pool}

    app.router.lifespan_context = lifespan
    return app
