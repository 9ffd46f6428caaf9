"""`@listener`: a reaction to an event. Each listener decides how it is delivered.

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

Listeners live in each module's `listeners.py`. The decorator only marks the function: it is
registered when a composition root installs the module (app.core.modules.install_modules).
"""

from collections.abc import Awaitable, Callable
from typing import Any, Literal, TypeVar, overload

from app.core.events.base import BaseEvent, ListenedEvent
from app.core.platform import Platform
from app.core.registry import LISTENS_MARK, Listener, ListenerMark

DurableListenerFunction = Callable[[ListenedEvent, Platform], Awaitable[None]]
FunctionT = TypeVar("FunctionT", bound=Callable[..., Awaitable[None]])


@overload
def listener(
    event_class: type[BaseEvent], *, durable: Literal[False] = False
) -> Callable[[Listener], Listener]: ...


@overload
def listener(
    event_class: type[BaseEvent], *, durable: Literal[True]
) -> Callable[[DurableListenerFunction], DurableListenerFunction]: ...


def listener(event_class: type[BaseEvent], *, durable: bool = False) -> Callable[[Any], Any]:
    mark = ListenerMark(event_name=event_class.event_name(), durable=durable)

    def decorate(function: FunctionT) -> FunctionT:
        setattr(function, LISTENS_MARK, (*getattr(function, LISTENS_MARK, ()), mark))
        return function

    return decorate
