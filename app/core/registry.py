"""The registry: what the installed modules declared, their tasks and their listeners.

A composition root builds one when it installs the modules (`app.core.modules.install_modules`):
importing a module's `tasks.py` or `listeners.py` only marks what it declares (`@queued`,
`@listener`), and the registry collects the marks. The platform's services consult it (the queue
checks that a task runs a pushed payload, the events service finds an event's listeners), and
the broker attaches every task of it.
"""

import functools
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from fastapi_events.handlers.local import LocalHandler
from fastapi_events.typing import Event

from app.core.events.base import ListenedEvent
from app.core.log import logger
from app.core.queue.declaration import TaskDeclaration
from app.core.queue.payload import TaskPayload

# What `@queued` and `@listener` leave on what they decorate.
QUEUED_MARK = "__queued__"
LISTENS_MARK = "__listens_to__"

Listener = Callable[[ListenedEvent], Awaitable[None]]
# A durable listener as stored: its second argument is the platform of the task running it,
# typed where listeners are declared (app.core.events.listener), above the platform this
# registry serves.
StoredDurableListener = Callable[[ListenedEvent, Any], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class ListenerMark:
    event_name: str
    durable: bool


@dataclass(frozen=True, slots=True)
class DurableListener:
    name: str
    function: StoredDurableListener


class Registry:
    def __init__(self) -> None:
        self._tasks: dict[str, type[TaskDeclaration[Any]]] = {}
        self._durable: dict[str, DurableListener] = {}
        self._durable_by_event: dict[str, list[DurableListener]] = {}
        self._in_process: set[tuple[str, Listener]] = set()
        # fastapi-events' handler of this registry's in-process listeners (not its global one, so
        # only these run).
        self.local_handler = LocalHandler()  # type: ignore[no-untyped-call]

    def collect(self, module: ModuleType) -> None:
        """Register every task and listener `module` marks (its own and those it imports)."""
        for value in list(vars(module).values()):
            if (
                isinstance(value, type)
                and issubclass(value, TaskDeclaration)
                and QUEUED_MARK in value.__dict__
            ):
                self.add_task(value)
            for mark in getattr(value, LISTENS_MARK, ()) if callable(value) else ():
                self.add_listener(mark.event_name, value, durable=mark.durable)

    def add_task(self, task_class: type[TaskDeclaration[Any]]) -> None:
        name = task_class.__task_name__
        existing = self._tasks.get(name)
        if existing is not None and existing is not task_class:
            raise ValueError(
                f"task name {name!r} is used by {existing.__qualname__} and {task_class.__qualname__}"
            )
        self._tasks[name] = task_class

    def add_listener(
        self, event_name: str, function: Callable[..., Awaitable[None]], *, durable: bool
    ) -> None:
        if durable:
            self._add_durable(event_name, function)
        elif (event_name, function) not in self._in_process:
            self._in_process.add((event_name, function))
            self.local_handler.register(_isolated(function), event_name=event_name)  # type: ignore[no-untyped-call]

    def _add_durable(self, event_name: str, function: StoredDurableListener) -> None:
        # Outbox rows name the listener by its qualified name (and the event by its own): rename
        # a durable listener only when none of its rows is pending.
        name = f"{function.__module__}.{function.__qualname__}"
        existing = self._durable.get(name)
        if existing is not None and existing.function is not function:
            raise ValueError(f"a durable listener is already registered as {name!r}")
        registered = existing or DurableListener(name=name, function=function)
        self._durable[name] = registered
        # One listener may hear several events (stacked @listener marks): a row for each.
        hearing = self._durable_by_event.setdefault(event_name, [])
        if registered not in hearing:
            hearing.append(registered)

    @property
    def tasks(self) -> Mapping[str, type[TaskDeclaration[Any]]]:
        return dict(self._tasks)

    def task_for(self, payload: TaskPayload) -> type[TaskDeclaration[Any]]:
        """The task that runs `payload`."""
        name = type(payload).task_name()
        task_class = self._tasks.get(name)
        if task_class is None:
            raise LookupError(f"no task is registered as {name!r}; is its module installed?")
        if task_class.__payload__ is not type(payload):
            raise TypeError(f"{name!r} runs {task_class.__payload__.__name__}, not {type(payload).__name__}")
        return task_class

    def durable_listener_names(self, event_name: str) -> list[str]:
        return [durable.name for durable in self._durable_by_event.get(event_name, ())]

    def durable_listener(self, name: str) -> DurableListener:
        try:
            return self._durable[name]
        except KeyError:
            raise LookupError(
                f"no durable listener is registered as {name!r}; is its module installed?"
            ) from None


def _isolated(function: Listener) -> Callable[[Event], Awaitable[None]]:
    """An in-process listener as fastapi-events calls it: a failure is logged with its traceback
    and never affects the request or another listener."""

    @functools.wraps(function)
    async def isolated(event: Event) -> None:
        name, payload = event
        try:
            await function(ListenedEvent(name=str(name), data=payload))
        except Exception:
            logger.exception("listener failed", listener=function.__qualname__, event_name=str(name))

    return isolated
