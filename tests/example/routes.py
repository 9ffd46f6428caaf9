"""Routes of the example module, written the way a real module writes them."""

from typing import Annotated

from fastapi import APIRouter, Depends

from app.core.api import ListParamsBuilder, PaginatedResponse, ResourceId, error_responses
from app.core.deps import DBSession, UoW
from app.core.errors import NotFound
from tests.example.models import Widget
from tests.example.platform_routes import router as platform_router
from tests.example.repository import WidgetRepository
from tests.example.schemas import (
    SecretForm,
    WidgetCreate,
    WidgetFilterParam,
    WidgetListParams,
    WidgetResponse,
    WidgetSortParam,
)
from tests.example.scoped_routes import router as scoped_router

router = APIRouter(prefix="/widgets", tags=["example"])
router.include_router(platform_router)
router.include_router(scoped_router)
list_params = ListParamsBuilder(WidgetListParams, WidgetSortParam, WidgetFilterParam)
# Side effects recorded by after-commit hooks, for the unit-of-work tests.
released: list[str] = []


async def get_repository(session: DBSession) -> WidgetRepository:
    return WidgetRepository(session)


Repository = Annotated[WidgetRepository, Depends(get_repository)]


@router.get("", summary="List widgets", response_model=PaginatedResponse[WidgetResponse])
async def index(
    params: Annotated[WidgetListParams, Depends(list_params)], repository: Repository
) -> PaginatedResponse[WidgetResponse]:
    return PaginatedResponse[WidgetResponse].from_result(await repository.list(params))


@router.post("", summary="Create a widget", status_code=201, response_model=WidgetResponse)
async def create(body: WidgetCreate, repository: Repository, uow: UoW) -> Widget:
    widget = await repository.create(body.model_dump())
    uow.after_commit(lambda: _release(f"created {widget.name}"))
    return widget


@router.post("/fail-after-flush", summary="Create, then fail", status_code=201, response_model=WidgetResponse)
async def create_then_fail(body: WidgetCreate, repository: Repository, uow: UoW) -> Widget:
    widget = await repository.create(body.model_dump())
    uow.after_commit(lambda: _release(f"created {widget.name}"))
    raise NotFound("failing on purpose after the row was flushed")


@router.post("/pair", summary="Create two widgets with one name", status_code=201)
async def create_pair(body: WidgetCreate, repository: Repository) -> dict[str, str]:
    await repository.create(body.model_dump())
    await repository.create(body.model_dump())
    return {"status": "created"}


@router.get(
    "/{widget_id}", summary="Get a widget", response_model=WidgetResponse, responses=error_responses(404)
)
async def show(widget_id: ResourceId, repository: Repository) -> Widget:
    widget = await repository.get(widget_id)
    if widget is None:
        raise NotFound(f"Widget {widget_id} does not exist.")
    return widget


@router.delete(
    "/{widget_id}", summary="Soft-delete a widget", status_code=204, responses=error_responses(404)
)
async def delete(widget_id: ResourceId, repository: Repository) -> None:
    widget = await repository.get(widget_id)
    if widget is None:
        raise NotFound(f"Widget {widget_id} does not exist.")
    await repository.delete(widget)


@router.get("/uow/shared", summary="Whether the request's session belongs to its unit of work")
async def shared_unit_of_work(session: DBSession, uow: UoW) -> dict[str, bool]:
    return {"shared": session is uow.session}


@router.get("/uow/sneaky-write", summary="A handler that writes under a safe method (a bug)")
async def sneaky_write(session: DBSession) -> dict[str, bool]:
    session.add(Widget(name="sneaky"))
    return {"written": True}


@router.post("/secret", summary="Validate a form with a secret", status_code=204)
async def secret(form: SecretForm) -> None:
    del form


@router.post("/echo", summary="Echo a JSON body", response_model=dict[str, str])
async def echo(body: dict[str, str]) -> dict[str, str]:
    return body


@router.get("/boom/now", summary="Fail with an unhandled error")
async def boom() -> None:
    raise RuntimeError("secret internals: password=hunter2")


async def _release(what: str) -> None:
    released.append(what)
