"""What every auth service needs, built once per request or task."""

from dataclasses import dataclass

from app.auth.config import AuthConfig, get_auth_config
from app.auth.events import AccessRevoked
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.session import SessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.services.access import AccessStore
from app.auth.services.attempts import PasswordCheckLimit
from app.auth.services.passwords import PasswordHasher
from app.auth.services.security import get_access_tokens, get_hasher
from app.auth.services.tokens import AccessTokens
from app.core.db import UnitOfWork
from app.core.events import EventsServiceInterface
from app.core.mail import MailServiceInterface
from app.core.queue import QueueServiceInterface
from app.core.services import TaskContext


@dataclass(frozen=True, slots=True)
class AuthContext:
    unit_of_work: UnitOfWork
    config: AuthConfig
    frontend_url: str
    project_name: str
    hasher: PasswordHasher
    tokens: AccessTokens
    events: EventsServiceInterface
    mail: MailServiceInterface
    queue: QueueServiceInterface
    access: AccessStore
    password_checks: PasswordCheckLimit

    @property
    def users(self) -> UserRepository:
        return UserRepository(self.unit_of_work.session)

    @property
    def sessions(self) -> SessionRepository:
        return SessionRepository(self.unit_of_work.session)

    @property
    def action_tokens(self) -> ActionTokenRepository:
        return ActionTokenRepository(self.unit_of_work.session)

    @classmethod
    def of(cls, context: TaskContext) -> "AuthContext":
        """For requests, listeners, tasks and the CLI: built on a platform TaskContext."""
        config, auth_config, redis = context.config, get_auth_config(), context.resources.redis
        return cls(
            unit_of_work=context.unit_of_work,
            config=auth_config,
            frontend_url=config.FRONTEND_URL.rstrip("/"),
            project_name=config.PROJECT_NAME,
            hasher=get_hasher(),
            tokens=get_access_tokens(),
            events=context.events,
            mail=context.mail,
            queue=context.queue,
            access=AccessStore(redis, auth_config),
            password_checks=PasswordCheckLimit(redis, config, auth_config.PASSWORD_CHECKS_PER_MINUTE),
        )

    def forget_after_commit(self, user_id: int) -> None:
        """Drop the cached account once a change that revokes nothing is committed."""
        access = self.access

        async def forget() -> None:
            await access.forget_quietly(user_id)

        self.unit_of_work.after_commit(forget)

    async def revoke_all(self, user_id: int, token_version: int, reason: str) -> None:
        """Every access token below `token_version` (the user's new one) ends: Redis refuses them
        from now on and drops the cached account (503 if it cannot confirm, so the change rolls
        back); the account is dropped once more after commit."""
        await self.access.retire_tokens_below(user_id, token_version)
        self.forget_after_commit(user_id)
        self.events.dispatch(AccessRevoked(user_id=user_id, session_id=None, reason=reason))

    async def revoke_session(self, user_id: int, session_id: int, reason: str) -> None:
        """One session's access tokens end at their next request, on every process (503 if Redis
        cannot confirm, so the change rolls back)."""
        # Dispatched first: it goes out only if the revocation commits, which a caller may want
        # even when Redis could not confirm (refresh-token reuse).
        self.events.dispatch(AccessRevoked(user_id=user_id, session_id=session_id, reason=reason))
        await self.access.end_session(session_id)
