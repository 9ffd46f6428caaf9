"""Single-use links mailed to an account: password reset and email verification.

Tokens are stored hashed, expire, and are spent on use; issuing a new one spends the older ones
of its kind. The email goes out through `mail.queue`, in the caller's transaction: it is sent
only if the token it carries was committed.

A link opens the front end's page (FRONTEND_URL/verify-email?token=...) or, without a front end,
the module's own page (PAGES_PREFIX). There the token travels in the fragment (#token=...): a
browser never sends a fragment to the server nor in a Referer, so the token stays out of access
logs and proxies, and opening the link changes nothing until the page's button is pressed.
"""

from datetime import timedelta

from app.auth.config import AuthConfig
from app.auth.emails.templates import VerifyEmail
from app.auth.models import EMAIL_VERIFICATION, User
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.services.tokens import new_opaque_token, token_digest
from app.core.clock import utcnow
from app.core.mail import EmailData, MailServiceInterface
from app.core.settings.links import EmailLinks

# The module's own pages, under the API prefix (app.auth.routes.v1.pages serves them).
PAGES_PREFIX = "/auth/pages"
VERIFY_EMAIL_PAGE = "/verify-email"
RESET_PASSWORD_PAGE = "/reset-password"  # noqa: S105 - a path, not a password


class AccountLinks:
    def __init__(
        self,
        action_tokens: ActionTokenRepository,
        mail: MailServiceInterface,
        *,
        config: AuthConfig,
        links: EmailLinks,
        project_name: str,
    ) -> None:
        self._action_tokens = action_tokens
        self._mail = mail
        self._config = config
        self._links = links
        self._project_name = project_name

    def _link(self, page: str, token: str) -> str:
        return self._links.link(frontend=f"{page}?token={token}", api=f"{PAGES_PREFIX}{page}#token={token}")

    def verification_link(self, token: str) -> str:
        return self._link(VERIFY_EMAIL_PAGE, token)

    def reset_link(self, token: str) -> str:
        return self._link(RESET_PASSWORD_PAGE, token)

    async def issue(self, user: User, kind: str, binding: str, ttl: int) -> str:
        """A new token of `kind` for `user` (the older ones are spent), bound to `binding`."""
        now = utcnow()
        await self._action_tokens.retire(user.id, kind, now)
        token = new_opaque_token()
        await self._action_tokens.create(
            {
                "user_id": user.id,
                "kind": kind,
                "token_hash": token_digest(token),
                "binding": binding,
                "expires_at": now + timedelta(seconds=ttl),
            }
        )
        return token

    async def send_verification(self, user: User) -> None:
        """Queue a link that verifies the account's current address (and only that address)."""
        token = await self.issue(user, EMAIL_VERIFICATION, user.email, self._config.VERIFY_TOKEN_TTL)
        project_name = self._project_name
        await self._mail.queue(
            VerifyEmail(
                username=user.username, link=self.verification_link(token), project_name=project_name
            ),
            EmailData(subject=f"Confirm your email for {project_name}", recipient=user.email),
        )
