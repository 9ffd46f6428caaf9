"""Tables of the auth module."""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.clock import utcnow
from app.core.db import Base, BaseModel, SoftDeleteMixin


class Role(StrEnum):
    USER = "user"
    ADMIN = "admin"
    SUPER_ADMIN = "super_admin"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Role.USER: 0, Role.ADMIN: 1, Role.SUPER_ADMIN: 2}
# Authentication methods (RFC 8176 `amr` values): a password, and a one-time password (a TOTP code
# or a recovery code).
PASSWORD_METHOD = "pwd"  # noqa: S105 - an `amr` value, not a secret
ONE_TIME_PASSWORD_METHOD = "otp"  # noqa: S105 - an `amr` value, not a secret
_ALIVE = text("deleted_at IS NULL")


class User(SoftDeleteMixin, BaseModel):
    __tablename__ = "auth_user"
    __table_args__ = (
        # Only live accounts hold their email and username: a soft-deleted user frees both.
        Index("uq_auth_user_email", "email", unique=True, postgresql_where=_ALIVE),
        Index("uq_auth_user_username", "username", unique=True, postgresql_where=_ALIVE),
    )

    email: Mapped[str] = mapped_column(String(320))
    username: Mapped[str] = mapped_column(String(50))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(20), default=Role.USER.value)
    is_active: Mapped[bool] = mapped_column(default=True)
    email_verified_at: Mapped[datetime | None] = mapped_column(default=None)
    # Bumped by every change of password, role or status: access tokens carry it, so older ones
    # stop working on the next request.
    token_version: Mapped[int] = mapped_column(default=0)

    @property
    def role_enum(self) -> Role:
        return Role(self.role)

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class SignInSession(BaseModel):
    """One signed-in device: a family of refresh tokens, rotated on every refresh."""

    __tablename__ = "auth_session"

    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    user_agent: Mapped[str | None] = mapped_column(String(300))
    last_used_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(50), default=None)
    # The last authentication with credentials (sign-in or step-up) and its methods (RFC 8176
    # `amr` values): access tokens of the session carry both, across refreshes.
    authenticated_at: Mapped[datetime] = mapped_column(default=utcnow)
    auth_methods: Mapped[list[str]] = mapped_column(ARRAY(String(16)), default=lambda: [PASSWORD_METHOD])

    tokens: Mapped[list["RefreshToken"]] = relationship(back_populates="session", lazy="raise")


class RefreshToken(BaseModel):
    """Stored as a SHA-256 hash only: opaque random tokens need no slow hash."""

    __tablename__ = "auth_refresh_token"

    session_id: Mapped[int] = mapped_column(ForeignKey("auth_session.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    rotated_at: Mapped[datetime | None] = mapped_column(default=None)

    session: Mapped[SignInSession] = relationship(back_populates="tokens", lazy="raise")


# ActionToken.kind
PASSWORD_RESET = "password_reset"  # noqa: S105 - a token kind, not a secret
EMAIL_VERIFICATION = "email_verification"


class ActionToken(BaseModel):
    """Single-use tokens for password reset and email verification (hashed, short-lived, bound to
    what they act on: a reset to the password it replaces, a verification to the email)."""

    __tablename__ = "auth_action_token"

    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    binding: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)


class AuditEntry(Base):
    """One security event (app.auth.schemas.audit.AuditEvent names them), append-only: written in
    the transaction of the action it records, never updated (the database refuses an UPDATE),
    deleted only by the retention purge. Hence no `updated_at`.

    `actor_id` and `target_id` are plain ids, not foreign keys: the record outlives the accounts
    it names, and deleting an account must not rewrite its history."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_actor_time", "actor_id", "created_at"),
        Index("ix_audit_event_target_time", "target_id", "created_at"),
        Index("ix_audit_event_event_time", "event", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    event: Mapped[str] = mapped_column(String(50))
    actor_id: Mapped[int | None] = mapped_column(BigInteger)
    target_id: Mapped[int | None] = mapped_column(BigInteger)
    client_address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    request_id: Mapped[str | None] = mapped_column(String(128))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    # When the event happened (app.core.clock), which is when its row was written.
    created_at: Mapped[datetime] = mapped_column(index=True)


# What every API key starts with (app.auth.services.api_key_tokens has the whole shape).
API_KEY_PREFIX = "kit_pat_"


class ApiKey(BaseModel):
    """A personal access token: `kit_pat_<public_id>_<secret>`. Looked up by its public id and
    checked against the SHA-256 of the whole token (a slow hash adds nothing to 256 random bits);
    the token itself is shown once, when it is created, and never stored."""

    __tablename__ = "api_key"

    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    public_id: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    # What it was created with; what it may do is this and its owner's role (app.auth.schemas.scopes).
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(50)))
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    # Updated at most once a minute per key (LAST_USED_RESOLUTION in app.auth.services.api_keys).
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def prefix(self) -> str:
        """How lists name the key: enough to recognize it, nothing to use."""
        return f"{API_KEY_PREFIX}{self.public_id}"


class UserTotp(BaseModel):
    """A user's TOTP secret, encrypted (app.auth.services.secret_box). Pending until the user
    confirms a code from it (`confirmed_at`); only a confirmed one is asked for at sign-in."""

    __tablename__ = "auth_user_totp"

    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), unique=True)
    encrypted_secret: Mapped[str] = mapped_column(String(500))
    confirmed_at: Mapped[datetime | None] = mapped_column(default=None)
    # The time step of the last code accepted: a code of that step or an earlier one is refused.
    last_used_step: Mapped[int | None] = mapped_column(BigInteger, default=None)


class RecoveryCode(BaseModel):
    """One single-use recovery code, stored as a SHA-256 hash only: the codes are 80 random bits,
    which no password hash would make any harder to guess."""

    __tablename__ = "auth_recovery_code"

    user_id: Mapped[int] = mapped_column(ForeignKey("auth_user.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(default=None)
