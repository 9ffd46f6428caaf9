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


class AccessRevoked(BaseEvent):
    """Some or all of a user's access ended: every open connection holding it must close.

    Dispatched after every revocation: logout, a revoked session, refresh-token reuse (one session),
    a revoked API key (that key), logout-all, a password change or reset, a role or status change
    and account deletion (every session and key: `session_id` and `api_key_id` are None).
    """

    __event_name__ = "auth.access_revoked"

    user_id: int
    # The one session that ended, or None when every session (and access token) of the user did.
    session_id: int | None = None
    reason: str
    # The one API key revoked. A listener that does not read it closes every connection of the
    # user (session_id is None then): more than needed, never less.
    api_key_id: int | None = None
