"""The authenticated caller, as services, policies and other modules see it."""

from dataclasses import dataclass
from datetime import datetime

from app.auth.models import Role, User


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
    # When the access token this principal came from expires (None where no token is involved):
    # long-lived connections (WebSockets) close then.
    expires_at: datetime | None = None

    @property
    def is_admin(self) -> bool:
        return self.role.rank >= Role.ADMIN.rank

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
