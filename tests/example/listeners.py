"""Listeners record what they saw, so tests can assert on it."""

from app.core.events import ListenedEvent, listener
from tests.example.events import WidgetAudited, WidgetCreated

heard: list[tuple[str, object]] = []


@listener(WidgetCreated)
async def remember_widget(event: ListenedEvent) -> None:
    heard.append((event.name, event.data))


@listener(WidgetAudited)
async def broken_auditor(event: ListenedEvent) -> None:
    raise RuntimeError(f"auditor is broken for {event.data}")


@listener(WidgetAudited)
async def working_auditor(event: ListenedEvent) -> None:
    heard.append((event.name, event.data))
