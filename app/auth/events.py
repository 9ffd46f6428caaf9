"""Events of the auth module; other modules subscribe with @listener."""

from app.core.events import BaseEvent


class UserCreated(BaseEvent):
    __event_name__ = "auth.user_created"

    id: int
    email: str
    username: str
    # False for accounts an administrator created: they get no self-registration email.
    self_registered: bool = True


class UserUpdated(BaseEvent):
    __event_name__ = "auth.user_updated"

    id: int
    changed: list[str]
    email_changed: bool = False


class UserDeleted(BaseEvent):
    __event_name__ = "auth.user_deleted"

    id: int


class PasswordChanged(BaseEvent):
    __event_name__ = "auth.password_changed"

    id: int
    # How: "changed" by the user, "reset" through a reset link, "set" by an administrator.
    how: str
