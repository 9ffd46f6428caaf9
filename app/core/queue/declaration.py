"""`TaskDeclaration`: what the platform knows of a task without running it.

Its name (from its payload), its payload model, its schedule and its attempts. The registry, the
queue service and the broker need no more; `BaseTask` (app.core.queue.task) adds `run`, which
receives the platform, and so sits above it.
"""

from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from app.core.config import AppConfig
from app.core.queue.payload import TaskPayload

PayloadT = TypeVar("PayloadT", bound=TaskPayload)


class TaskDeclaration(Generic[PayloadT]):
    # Both set from the class's payload (`BaseTask[SomePayload]`): the name is written once.
    __payload__: ClassVar[type[TaskPayload]]
    __task_name__: ClassVar[str]
    __schedule__: ClassVar[list[dict[str, Any]]] = []
    # None: the QUEUE_MAX_ATTEMPTS setting.
    __max_attempts__: ClassVar[int | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for base in cls.__dict__.get("__orig_bases__", ()):
            origin = get_origin(base)
            if isinstance(origin, type) and issubclass(origin, TaskDeclaration):
                (payload,) = get_args(base)
                if isinstance(payload, type) and issubclass(payload, TaskPayload):
                    cls.__payload__ = payload
                    cls.__task_name__ = payload.task_name()

    @classmethod
    def schedule(cls, config: AppConfig) -> list[dict[str, Any]]:
        """When the scheduler runs this task (taskiq `schedule` labels); settings may decide it."""
        del config
        return list(cls.__schedule__)
