"""Password reset and email verification through single-use links.

Reset tokens are bound to a fingerprint of the password hash they replace, so a link stops
working once the password changed by any means; verification tokens are bound to the email
address, so a link for an old address verifies nothing (app.auth.services.links issues both).

Asking for a link (restore-password, verify-email/resend) only queues a task with the address:
the request does the same work whether or not an account uses it, so neither its answer nor its
timing tells; the task looks the account up and mails only a real, eligible one.
"""

import hashlib

from app.auth.config import AuthConfig
from app.auth.emails.templates import PasswordReset
from app.auth.exceptions import InvalidToken
from app.auth.models import EMAIL_VERIFICATION, PASSWORD_RESET, ActionToken, User
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.repositories.user import UserRepository
from app.auth.schemas.audit import AuditEvent
from app.auth.schemas.payloads import ResendVerificationPayload, SendPasswordResetPayload
from app.auth.services.audit import AuditTrail
from app.auth.services.links import AccountLinks
from app.auth.services.revocation import AccessRevocation
from app.auth.services.tokens import token_digest
from app.auth.services.users import UserService
from app.core.clock import utcnow
from app.core.mail import EmailData, MailServiceInterface
from app.core.queue import QueueServiceInterface


def password_fingerprint(user: User) -> str:
    return hashlib.sha256(user.password_hash.encode()).hexdigest()


class RecoveryService:
    def __init__(
        self,
        *,
        users: UserRepository,
        sessions: SignInSessionRepository,
        action_tokens: ActionTokenRepository,
        links: AccountLinks,
        accounts: UserService,
        revocation: AccessRevocation,
        audit: AuditTrail,
        queue: QueueServiceInterface,
        mail: MailServiceInterface,
        config: AuthConfig,
    ) -> None:
        self._users = users
        self._sessions = sessions
        self._action_tokens = action_tokens
        self._links = links
        self._accounts = accounts
        self._revocation = revocation
        self._audit = audit
        self._queue = queue
        self._mail = mail
        self._config = config

    async def _redeem(self, kind: str, token: str) -> tuple[ActionToken, User]:
        now = utcnow()
        action = await self._action_tokens.for_update(kind, token_digest(token))
        if action is None or action.used_at is not None or action.expires_at <= now:
            raise InvalidToken("The link is invalid, expired or already used.")
        user = await self._users.get(action.user_id)
        if user is None or not user.is_active:
            raise InvalidToken("The link is invalid, expired or already used.")
        action.used_at = now
        return action, user

    async def restore_password(self, email: str) -> None:
        """Hands the address to a task, known or not."""
        await self._queue.push(SendPasswordResetPayload(email=email))

    async def send_password_reset(self, email: str) -> None:
        """Queues a reset link if the address belongs to an active account; silent otherwise."""
        user = await self._users.get_by_email(email)
        if user is None or not user.is_active:
            return
        ttl = self._config.RESET_TOKEN_TTL
        token = await self._links.issue(user, PASSWORD_RESET, password_fingerprint(user), ttl)
        await self._mail.queue(
            PasswordReset(username=user.username, link=self._links.reset_link(token), minutes=ttl // 60),
            EmailData(subject="Reset your password", recipient=user.email),
        )

    async def reset_password(self, token: str, new_password: str) -> None:
        action, user = await self._redeem(PASSWORD_RESET, token)
        if action.binding != password_fingerprint(user):
            raise InvalidToken("The link is invalid, expired or already used.")
        # A rejected password rolls the whole unit of work back: the link is not spent.
        await self._accounts.apply_password(user, new_password, how="reset")
        await self._sessions.revoke_for_user(user.id, utcnow(), "password_reset")
        # The link proves the account holder acts: they are the actor, as signed in.
        await self._audit.record(AuditEvent.PASSWORD_RESET, actor_id=user.id, target_id=user.id)

    async def resend_verification(self, email: str) -> None:
        """Hands the address to a task, known or not."""
        await self._queue.push(ResendVerificationPayload(email=email))

    async def send_verification_again(self, email: str) -> None:
        """A new link if the address belongs to an active, unverified account; silent otherwise."""
        user = await self._users.get_by_email(email)
        if user is None or not user.is_active or user.email_verified_at is not None:
            return
        await self._links.send_verification(user)

    async def verify_email(self, token: str) -> User:
        action, user = await self._redeem(EMAIL_VERIFICATION, token)
        if action.binding != user.email:
            raise InvalidToken("The link is invalid, expired or already used.")
        user.email_verified_at = utcnow()
        self._revocation.forget_after_commit(user.id)
        return user
