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

Push it with `await platform.queue.push(SendWelcomePayload(user_id=1))`. A task runs inside its own unit of
work (committed when `run` returns), and `self.platform` is the same platform a request gets:
`self.platform.session`, `.queue`, `.events`, `.mail`, `.cache`, `.settings(...)`; a module builds
its services from it with the functions its routes use (`user_service(self.platform)`).
Periodic tasks declare `__schedule__ = [{"cron": "*/5 * * * *"}]` or `[{"interval": 30}]`.
A task whose state outlives a failure (a job row) overrides `dead_lettered` to mark it failed.

`@queued` only marks the class: the task is registered when a composition root installs its
module (app.core.modules.install_modules), not when `tasks.py` is imported.
"""

from abc import ABC, abstractmethod
from typing import Any, TypeVar

from app.core.platform import Platform
from app.core.queue.declaration import PayloadT, TaskDeclaration
from app.core.registry import QUEUED_MARK

TaskT = TypeVar("TaskT", bound="type[BaseTask[Any]]")


class BaseTask(TaskDeclaration[PayloadT], ABC):
    def __init__(self, platform: Platform) -> None:
        self.platform = platform

    @abstractmethod
    async def run(self, payload: PayloadT) -> Any:
        """Do the work; the return value (JSON) is stored as the task's result."""

    async def dead_lettered(self, payload: PayloadT) -> None:
        """Called with `run`'s payload once its last attempt has failed, in the unit of work that
        records the dead letter: mark what the task was doing as failed (a job's status, say), so
        nothing waits for it forever. Does nothing unless a task overrides it."""
        del payload


def queued(task_class: TaskT) -> TaskT:
    """Mark a task class for registration under its payload's `__task_name__` (unique across the
    application) when its module is installed."""
    if getattr(task_class, "__payload__", None) is None:
        raise TypeError(f"{task_class.__name__} must declare its payload: BaseTask[SomePayload]")
    setattr(task_class, QUEUED_MARK, True)
    return task_class
