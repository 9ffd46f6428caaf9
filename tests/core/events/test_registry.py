"""The registry collects what a module marks: one durable listener may hear several events."""

import types

from app.core.events import BaseEvent, ListenedEvent
from app.core.events.listener import listener
from app.core.platform import Platform
from app.core.registry import Registry


class Shipped(BaseEvent):
    __event_name__ = "probe.shipped"


class Returned(BaseEvent):
    __event_name__ = "probe.returned"


@listener(Shipped, durable=True)
@listener(Returned, durable=True)
async def track_parcel(event: ListenedEvent, platform: Platform) -> None:
    del event, platform


def test_a_durable_listener_of_two_events_gets_a_row_for_each() -> None:
    module = types.ModuleType("probe.listeners")
    module.track_parcel = track_parcel  # type: ignore[attr-defined]
    registry = Registry()
    registry.collect(module)
    registry.collect(module)  # collected twice (imported by two modules): still one each
    name = f"{__name__}.track_parcel"
    assert registry.durable_listener_names("probe.shipped") == [name]
    assert registry.durable_listener_names("probe.returned") == [name]
    assert registry.durable_listener(name).function is track_parcel
