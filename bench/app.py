"""The app under test: the real application plus routes that exist only for benchmarks."""

from fastapi import APIRouter, FastAPI
from pydantic import BaseModel

from app.core.cache import cached
from app.main import create_app

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


def create_bench_app() -> FastAPI:
    app = create_app()
    app.include_router(router)
    return app
