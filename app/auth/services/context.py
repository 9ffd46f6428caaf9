"""What every auth service needs, built once per request or task."""

from dataclasses import dataclass

from app.auth.config import AuthConfig, get_auth_config
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.session import SessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.services.current_user import forget_user
from app.auth.services.passwords import PasswordHasher
from app.auth.services.security import get_access_tokens, get_hasher
from app.auth.services.tokens import AccessTokens
from app.core.cache import CacheServiceInterface
from app.core.db import UnitOfWork
from app.core.events import EventsServiceInterface
from app.core.mail import MailServiceInterface
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
    cache: CacheServiceInterface

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
        """For listeners, tasks and the CLI: built on a platform TaskContext."""
        config = context.config
        return cls(
            unit_of_work=context.unit_of_work,
            config=get_auth_config(),
            frontend_url=config.FRONTEND_URL.rstrip("/"),
            project_name=config.PROJECT_NAME,
            hasher=get_hasher(),
            tokens=get_access_tokens(),
            events=context.events,
            mail=context.mail,
            cache=context.cache,
        )

    def forget_after_commit(self, user_id: int) -> None:
        """Drop the cached account once the change is committed."""
        cache = self.cache

        async def forget() -> None:
            await forget_user(cache, user_id)

        self.unit_of_work.after_commit(forget)
