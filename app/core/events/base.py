"""Events: what happened, as data. Modules declare them in their `events.py`::

class UserCreated(BaseEvent):
    __event_name__ = "auth.user_created"
    id: int
    email: str
"""

from dataclasses import dataclass
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class BaseEvent(BaseModel):
    model_config = ConfigDict(frozen=True)

    __event_name__: ClassVar[str]

    @classmethod
    def event_name(cls) -> str:
        name: str | None = getattr(cls, "__event_name__", None)
        if not name:
            raise TypeError(f"{cls.__name__} must define __event_name__")
        return name


@dataclass(frozen=True, slots=True)
class ListenedEvent:
    """What a listener receives: the event's name and its JSON data."""

    name: str
    data: Any
