"""`@listener`: register a reaction to an event. Each listener decides how it is delivered.

    @listener(UserUpdated)
    async def drop_cached_profile(event: ListenedEvent) -> None: ...

    @listener(UserDeleted, durable=True)
    async def forget_deleted_user(event: ListenedEvent, platform: Platform) -> None: ...

An in-process listener (the default) runs in the process that dispatched the event, after its
unit of work committed, through fastapi-events (after the response, inside a request). It is
isolated: a failure is logged with its traceback and never affects the request or another
listener. It may be lost if the process dies right after the commit: use it for caches,
metrics, notifications that are fine to miss.

A durable listener gets one outbox row per event it hears, written in the dispatcher's
transaction. A worker runs it inside that task's unit of work (`platform`: its writes commit
with the row's completion or roll back with it), retries it with backoff when it raises and
dead-letters it after the last attempt. Each durable listener has a row of its own, so one that
fails never makes another run twice. Rows name the listener by its qualified name
(`app.chat.listeners.forget_deleted_user`): rename a durable listener only when none is pending.

Listeners live in each module's `listeners.py`, imported by the composition roots from
app.modules.
"""

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, overload

from fastapi_events.handlers.local import LocalHandler
from fastapi_events.typing import Event

from app.core.events.base import BaseEvent, ListenedEvent
from app.core.log import logger

if TYPE_CHECKING:
    # Durable listeners receive the platform of the task that runs them, which is built above
    # the events service (as BaseTask receives it).
    from app.core.platform import Platform

Listener = Callable[[ListenedEvent], Awaitable[None]]
DurableListenerFunction = Callable[[ListenedEvent, "Platform"], Awaitable[None]]

# Our own handler instance (not fastapi-events' global one), so only @listener functions run.
local_handler = LocalHandler()  # type: ignore[no-untyped-call]


@dataclass(frozen=True, slots=True)
class DurableListener:
    name: str
    event_name: str
    function: DurableListenerFunction


_durable: dict[str, DurableListener] = {}
_durable_by_event: dict[str, list[DurableListener]] = {}


@overload
def listener(
    event_class: type[BaseEvent], *, durable: Literal[False] = False
) -> Callable[[Listener], Listener]: ...


@overload
def listener(
    event_class: type[BaseEvent], *, durable: Literal[True]
) -> Callable[[DurableListenerFunction], DurableListenerFunction]: ...


def listener(
    event_class: type[BaseEvent], *, durable: bool = False
) -> Callable[[Listener], Listener] | Callable[[DurableListenerFunction], DurableListenerFunction]:
    name = event_class.event_name()
    if durable:
        return functools.partial(_register_durable, name)
    return functools.partial(_register_in_process, name)


def _register_in_process(event_name: str, function: Listener) -> Listener:
    @functools.wraps(function)
    async def isolated(event: Event) -> None:
        name, payload = event
        try:
            await function(ListenedEvent(name=str(name), data=payload))
        except Exception:
            logger.exception("listener failed", listener=function.__qualname__, event_name=str(name))

    local_handler.register(isolated, event_name=event_name)  # type: ignore[no-untyped-call]
    return function


def _register_durable(event_name: str, function: DurableListenerFunction) -> DurableListenerFunction:
    name = f"{function.__module__}.{function.__qualname__}"
    existing = _durable.get(name)
    if existing is not None and existing.function is not function:
        raise ValueError(f"a durable listener is already registered as {name!r}")
    if existing is None:
        registered = DurableListener(name=name, event_name=event_name, function=function)
        _durable[name] = registered
        _durable_by_event.setdefault(event_name, []).append(registered)
    return function


def durable_listeners(event_name: str) -> list[DurableListener]:
    """The durable listeners of an event, in registration order."""
    return list(_durable_by_event.get(event_name, ()))


def durable_listener(name: str) -> DurableListener:
    try:
        return _durable[name]
    except KeyError:
        raise LookupError(f"no durable listener is registered as {name!r}; is its module imported?") from None
