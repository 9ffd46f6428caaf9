"""Single-use links mailed to an account: password reset and email verification.

Tokens are stored hashed, expire, and are spent on use; issuing a new one spends the older ones
of its kind. The email goes out through `mail.queue`, in the caller's transaction: it is sent
only if the token it carries was committed.
"""

from datetime import timedelta

from app.auth.emails.templates import VerifyEmail
from app.auth.models import EMAIL_VERIFICATION, ActionToken, User
from app.auth.services.context import AuthContext
from app.auth.services.tokens import new_opaque_token, token_digest
from app.core.clock import utcnow
from app.core.mail import EmailData


class AccountLinks:
    def __init__(self, context: AuthContext) -> None:
        self._context = context

    async def issue(self, user: User, kind: str, binding: str, ttl: int) -> str:
        """A new token of `kind` for `user` (the older ones are spent), bound to `binding`."""
        context, now = self._context, utcnow()
        await context.action_tokens.retire(user.id, kind, now)
        token = new_opaque_token()
        context.unit_of_work.session.add(
            ActionToken(
                user_id=user.id,
                kind=kind,
                token_hash=token_digest(token),
                binding=binding,
                expires_at=now + timedelta(seconds=ttl),
            )
        )
        return token

    async def send_verification(self, user: User) -> None:
        """Queue a link that verifies the account's current address (and only that address)."""
        context = self._context
        token = await self.issue(user, EMAIL_VERIFICATION, user.email, context.config.VERIFY_TOKEN_TTL)
        link = f"{context.frontend_url}/verify-email?token={token}"
        await context.mail.queue(
            VerifyEmail(username=user.username, link=link, project_name=context.project_name),
            EmailData(subject=f"Confirm your email for {context.project_name}", recipient=user.email),
        )
