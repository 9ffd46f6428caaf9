"""Listeners record what they saw, so tests can assert on it.

The durable ones write in their task's unit of work (a widget row, which a failure rolls back)
and count their runs in Redis (which nothing rolls back)."""

from app.auth import AccessRevoked
from app.core.events import ListenedEvent
from app.core.events.listener import listener
from app.core.platform import Platform
from tests.example.events import WidgetAudited, WidgetCreated, WidgetScrapped, WidgetShipped
from tests.example.models import Widget

heard: list[tuple[str, object]] = []
# Auth's AccessRevoked events, for the auth tests (the `access_revoked` fixture).
revocations: list[dict[str, object]] = []


@listener(AccessRevoked)
async def record_revocation(event: ListenedEvent) -> None:
    revocations.append(event.data)


@listener(WidgetCreated)
async def remember_widget(event: ListenedEvent) -> None:
    heard.append((event.name, event.data))


@listener(WidgetAudited)
async def broken_auditor(event: ListenedEvent) -> None:
    raise RuntimeError(f"auditor is broken for {event.data}")


@listener(WidgetAudited)
async def working_auditor(event: ListenedEvent) -> None:
    heard.append((event.name, event.data))


async def count_run(platform: Platform, listener_name: str, event: ListenedEvent) -> int:
    return int(await platform.resources.redis.incr(f"runs:{listener_name}:{event.data['name']}"))


@listener(WidgetShipped, durable=True)
async def record_shipment(event: ListenedEvent, platform: Platform) -> None:
    await count_run(platform, "record_shipment", event)
    platform.session.add(Widget(name=f"{event.data['name']}-recorded"))


@listener(WidgetShipped, durable=True)
async def notify_carrier(event: ListenedEvent, platform: Platform) -> None:
    run = await count_run(platform, "notify_carrier", event)
    platform.session.add(Widget(name=f"{event.data['name']}-carrier-{run}"))
    await platform.session.flush()
    if run <= 2:
        raise RuntimeError(f"carrier unreachable (run {run})")


@listener(WidgetScrapped, durable=True)
async def broken_recycler(event: ListenedEvent, platform: Platform) -> None:
    await count_run(platform, "broken_recycler", event)
    raise RuntimeError(f"recycler is broken for {event.data['name']}")
