"""The authenticated caller, as services, policies and other modules see it."""

from dataclasses import dataclass
from datetime import datetime

from app.auth.models import Role, User
from app.auth.schemas.scopes import ADMIN, granted_to_key, scopes_of_role


@dataclass(frozen=True, slots=True)
class Principal:
    """The authenticated caller (no credentials in it)."""

    id: int
    username: str
    email: str
    role: Role
    is_active: bool
    token_version: int
    session_id: int = 0
    # When the access token this principal came from expires, or by when an API key must be
    # checked again (None where no credential is involved): long-lived connections (WebSockets)
    # close then.
    expires_at: datetime | None = None
    # Set when the caller authenticated with an API key: its id and the scopes it was created with.
    api_key_id: int | None = None
    key_scopes: frozenset[str] | None = None
    # When and how the session last authenticated with credentials (the token's `auth_time` and
    # `amr`, RFC 9470); None where no token is involved: never a recent authentication.
    auth_time: datetime | None = None
    amr: tuple[str, ...] = ()

    @property
    def is_admin(self) -> bool:
        """An admin session: an administrator's API key never holds the `admin` scope, so it acts
        with a user's powers (moderation, private fields) like any key."""
        return self.role.rank >= Role.ADMIN.rank and ADMIN in self.scopes

    @property
    def scopes(self) -> frozenset[str]:
        """What this caller may do: a session, every scope of its role; an API key, its own
        scopes that its owner's role (as it is now) still has."""
        if self.key_scopes is None:
            return scopes_of_role(self.role)
        return granted_to_key(self.key_scopes, self.role)

    @classmethod
    def of(cls, user: User, session_id: int = 0) -> "Principal":
        return cls(
            id=user.id,
            username=user.username,
            email=user.email,
            role=user.role_enum,
            is_active=user.is_active,
            token_version=user.token_version,
            session_id=session_id,
        )
