"""`BaseTask` and `@queued`: background work, declared in each module's `tasks.py`.

The task's payload (a `TaskPayload`, in the module's `schemas`) carries the task's name; the task
class says which payload it runs::

    # app/auth/schemas/payloads.py
    class SendWelcomePayload(TaskPayload):
        __task_name__ = "auth.send_welcome"
        user_id: int

    # app/auth/tasks.py
    @queued
    class SendWelcome(BaseTask[SendWelcomePayload]):
        async def run(self, payload: SendWelcomePayload) -> None:
            user = await user_service(self.platform).get(payload.user_id)
            ...

Push it with `await queue.push(SendWelcomePayload(user_id=1))`. A task runs inside its own unit of
work (committed when `run` returns), and `self.platform` is the same platform a request gets:
`self.platform.session`, `.queue`, `.events`, `.mail`, `.cache`, `.settings(...)`; a module builds
its services from it with the functions its routes use (`user_service(self.platform)`).
Periodic tasks declare `__schedule__ = [{"cron": "*/5 * * * *"}]` or `[{"interval": 30}]`.
A task whose state outlives a failure (a job row) overrides `dead_lettered` to mark it failed.
"""

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, get_args, get_origin

from app.core.queue.payload import TaskPayload

if TYPE_CHECKING:
    from app.core.config import AppConfig
    from app.core.platform import Platform

PayloadT = TypeVar("PayloadT", bound=TaskPayload)
TaskT = TypeVar("TaskT", bound="type[BaseTask[Any]]")


class BaseTask(ABC, Generic[PayloadT]):
    # Both set from the class's payload (`BaseTask[SomePayload]`): the name is written once.
    __payload__: ClassVar[type[TaskPayload]]
    __task_name__: ClassVar[str]
    __schedule__: ClassVar[list[dict[str, Any]]] = []
    # None: the QUEUE_MAX_ATTEMPTS setting.
    __max_attempts__: ClassVar[int | None] = None

    def __init__(self, platform: "Platform") -> None:
        self.platform = platform

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in cls.__dict__.get("__orig_bases__", ()):
            if get_origin(base) is BaseTask:
                (payload,) = get_args(base)
                if isinstance(payload, type) and issubclass(payload, TaskPayload):
                    cls.__payload__ = payload
                    cls.__task_name__ = payload.task_name()

    @classmethod
    def schedule(cls, config: "AppConfig") -> list[dict[str, Any]]:
        """When the scheduler runs this task (taskiq `schedule` labels); settings may decide it."""
        del config
        return list(cls.__schedule__)

    @abstractmethod
    async def run(self, payload: PayloadT) -> Any:
        """Do the work; the return value (JSON) is stored as the task's result."""

    async def dead_lettered(self, payload: PayloadT) -> None:
        """Called with `run`'s payload once its last attempt has failed, in the unit of work that
        records the dead letter: mark what the task was doing as failed (a job's status, say), so
        nothing waits for it forever. Does nothing unless a task overrides it."""
        del payload


_registry: dict[str, type[BaseTask[Any]]] = {}
_listeners: list[Any] = []


def queued(task_class: TaskT) -> TaskT:
    """Register a task class under its payload's `__task_name__` (unique across the application)."""
    if getattr(task_class, "__payload__", None) is None:
        raise TypeError(f"{task_class.__name__} must declare its payload: BaseTask[SomePayload]")
    name = task_class.__task_name__
    existing = _registry.get(name)
    if existing is not None and existing is not task_class:
        raise ValueError(f"task name {name!r} is already used by {existing.__qualname__}")
    _registry[name] = task_class
    for on_register in _listeners:
        on_register(task_class)
    return task_class


def registered_tasks() -> dict[str, type[BaseTask[Any]]]:
    return dict(_registry)


def on_task_registered(callback: Any) -> None:
    """Call `callback(task_class)` for every task, registered now or later."""
    _listeners.append(callback)
    for task_class in list(_registry.values()):
        callback(task_class)


def task_for(payload: TaskPayload) -> type[BaseTask[Any]]:
    """The registered task that runs `payload`."""
    name = type(payload).task_name()
    task_class = _registry.get(name)
    if task_class is None:
        raise LookupError(f"no task is registered as {name!r}; is its module imported?")
    if task_class.__payload__ is not type(payload):
        raise TypeError(f"{name!r} runs {task_class.__payload__.__name__}, not {type(payload).__name__}")
    return task_class
