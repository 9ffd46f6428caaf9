"""`TaskPayload`: what a task is pushed with, and the name of the task that runs it.

A payload is the typed form of an outbox row (task name + JSON data). It is declared where every
code that pushes it can import it (a module's `schemas`, under its services), so a service pushes
work without importing the module's `tasks.py` (which imports the services)::

    class SendDigestPayload(TaskPayload):
        __task_name__ = "digest.send"
        user_id: int

    await queue.push(SendDigestPayload(user_id=user.id))

A wrong or missing field raises `ValidationError` where the payload is built, before anything is
written; the worker validates the stored data back into the model and hands it to `run`.
"""

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class TaskPayload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    __task_name__: ClassVar[str]

    @classmethod
    def task_name(cls) -> str:
        name: str | None = getattr(cls, "__task_name__", None)
        if not name:
            raise TypeError(f"{cls.__name__} must define __task_name__")
        return name
