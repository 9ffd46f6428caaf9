"""Routes exercising the platform services (queue, events, mail, cache, rate limiter)."""

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, EmailStr

from app.core.api import ResourceId, error_responses
from app.core.cache import cached
from app.core.deps import DBSession, EventsService, MailService, QueueService
from app.core.errors import Conflict
from app.core.limiter import ConfigurableRateLimiter
from app.core.mail import EmailData
from tests.example.emails import WidgetReady
from tests.example.events import WidgetAudited, WidgetCreated, WidgetShipped
from tests.example.models import Widget
from tests.example.tasks import AlwaysFailsPayload, CreateWidgetPayload

router = APIRouter(prefix="/platform", tags=["example"])
calls = {"cached": 0}


class Queued(BaseModel):
    outbox_id: int


class TaskRequest(BaseModel):
    name: str
    announce: bool = False
    sleep: float = 0.0
    delay_seconds: float | None = None


class MailRequest(BaseModel):
    name: str
    email: EmailStr


@router.post("/tasks", summary="Queue a task", status_code=202, response_model=Queued)
async def queue_task(body: TaskRequest, queue: QueueService) -> Queued:
    delay = timedelta(seconds=body.delay_seconds) if body.delay_seconds else None
    payload = CreateWidgetPayload(name=body.name, announce=body.announce, sleep=body.sleep)
    return Queued(outbox_id=await queue.push(payload, delay=delay))


@router.post(
    "/tasks/rolled-back", summary="Queue a task, then fail", status_code=202, responses=error_responses(409)
)
async def queue_then_fail(body: TaskRequest, queue: QueueService) -> None:
    await queue.push(CreateWidgetPayload(name=body.name, announce=body.announce, sleep=body.sleep))
    raise Conflict("failing after queueing")


@router.post(
    "/tasks/failing", summary="Queue a task that always fails", status_code=202, response_model=Queued
)
async def queue_failing(queue: QueueService) -> Queued:
    return Queued(outbox_id=await queue.push(AlwaysFailsPayload(reason="boom")))


@router.post(
    "/events", summary="Create a widget and announce it", status_code=201, responses=error_responses(409)
)
async def announce(
    body: TaskRequest, session: DBSession, events: EventsService, fail: bool = False
) -> dict[str, int]:
    widget = Widget(name=body.name)
    session.add(widget)
    await session.flush()
    events.dispatch(WidgetCreated(id=widget.id, name=widget.name))
    if fail:
        raise Conflict("failing after dispatching")
    return {"id": widget.id}


@router.post("/events/audit/{widget_id}", summary="Audit a widget", status_code=204)
async def audit(widget_id: ResourceId, events: EventsService) -> None:
    events.dispatch(WidgetAudited(id=widget_id))


@router.post("/events/shipped", summary="Ship a widget (durable listeners)", status_code=204)
async def ship(body: TaskRequest, events: EventsService) -> None:
    events.dispatch(WidgetShipped(name=body.name))


@router.post("/mail", summary="Queue an email", status_code=202, response_model=Queued)
async def queue_mail(body: MailRequest, mail: MailService) -> Queued:
    template = WidgetReady(name=body.name, link="https://app.example/widgets")
    email = EmailData(subject=f"{body.name} is ready", recipient=body.email)
    return Queued(outbox_id=await mail.queue(template, email))


class Counted(BaseModel):
    key: int
    calls: int


@router.get("/cached/{key}", summary="A cached path operation", response_model=Counted)
@cached(ttl=60, namespace="example", key_builder=lambda key, **_: str(key))
async def cached_route(key: int) -> Counted:
    calls["cached"] += 1
    return Counted(key=key, calls=calls["cached"])


@router.get(
    "/limited",
    summary="10 requests a minute per client",
    dependencies=[Depends(ConfigurableRateLimiter(10, 60))],
    responses=error_responses(429),
)
async def limited() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/limited/closed",
    summary="Refused while the limiter is unavailable",
    dependencies=[Depends(ConfigurableRateLimiter(3, 60, fail_closed=True))],
    responses=error_responses(429, 503),
)
async def limited_closed() -> dict[str, str]:
    return {"status": "ok"}


async def fake_user(request: Request, x_user: Annotated[str | None, Header()] = None) -> None:
    """Stands in for the auth dependency, which sets request.state.user_id."""
    if x_user:
        request.state.user_id = x_user


@router.get(
    "/limited/user",
    summary="2 requests a minute per user",
    dependencies=[Depends(fake_user), Depends(ConfigurableRateLimiter(2, 60, key="user"))],
    responses=error_responses(429),
)
async def limited_user() -> dict[str, str]:
    return {"status": "ok"}
