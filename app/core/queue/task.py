"""`BaseTask` and `@queued`: background work, declared in each module's `tasks.py`.

    @queued
    class SendWelcome(BaseTask):
        __task_name__ = "auth.send_welcome"

        async def run(self, user_id: int) -> None:
            user = await UserRepository(self.platform.session).get(user_id)
            ...

Push it with `await queue.push(SendWelcome, {"user_id": 1})`. A task runs inside its own unit of
work (committed when `run` returns), and `self.platform` is the same platform a request gets:
`self.platform.session`, `.queue`, `.events`, `.mail`, `.cache`, `.settings(...)`; a module builds
its services from it with the functions its routes use (`user_service(self.platform)`).
Periodic tasks declare `__schedule__ = [{"cron": "*/5 * * * *"}]` or `[{"interval": 30}]`.
A task whose state outlives a failure (a job row) overrides `dead_lettered` to mark it failed.
"""

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

if TYPE_CHECKING:
    from app.core.config import AppConfig
    from app.core.platform import Platform

TaskT = TypeVar("TaskT", bound="type[BaseTask]")


class BaseTask(ABC):
    __task_name__: ClassVar[str]
    __schedule__: ClassVar[list[dict[str, Any]]] = []
    # None: the QUEUE_MAX_ATTEMPTS setting.
    __max_attempts__: ClassVar[int | None] = None

    def __init__(self, platform: "Platform") -> None:
        self.platform = platform

    @classmethod
    def schedule(cls, config: "AppConfig") -> list[dict[str, Any]]:
        """When the scheduler runs this task (taskiq `schedule` labels); settings may decide it."""
        del config
        return list(cls.__schedule__)

    @abstractmethod
    async def run(self, *args: Any, **data: Any) -> Any:
        """Do the work; the return value (JSON) is stored as the task's result."""

    async def dead_lettered(self, *args: Any, **data: Any) -> None:
        """Called with `run`'s arguments once its last attempt has failed, in the unit of work that
        records the dead letter: mark what the task was doing as failed (a job's status, say), so
        nothing waits for it forever. Does nothing unless a task overrides it."""
        del args, data


_registry: dict[str, type[BaseTask]] = {}
_listeners: list[Any] = []


def queued(task_class: TaskT) -> TaskT:
    """Register a task class under its `__task_name__` (unique across the application)."""
    name = getattr(task_class, "__task_name__", None)
    if not name:
        raise TypeError(f"{task_class.__name__} must define __task_name__")
    existing = _registry.get(name)
    if existing is not None and existing is not task_class:
        raise ValueError(f"task name {name!r} is already used by {existing.__qualname__}")
    _registry[name] = task_class
    for on_register in _listeners:
        on_register(task_class)
    return task_class


def registered_tasks() -> dict[str, type[BaseTask]]:
    return dict(_registry)


def on_task_registered(callback: Any) -> None:
    """Call `callback(task_class)` for every task, registered now or later."""
    _listeners.append(callback)
    for task_class in list(_registry.values()):
        callback(task_class)


def task_name(task: type[BaseTask] | str) -> str:
    name = task if isinstance(task, str) else task.__task_name__
    if name not in _registry:
        raise LookupError(f"no task is registered as {name!r}; is its module imported?")
    return name
