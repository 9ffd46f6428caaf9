"""The auth module's background work: mailing recovery links, and housekeeping of its tables."""

from datetime import timedelta
from typing import Any, ClassVar

from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.services.factory import recovery_service
from app.auth.services.recovery import RESEND_VERIFICATION, SEND_PASSWORD_RESET
from app.core.clock import utcnow
from app.core.queue import BaseTask, queued

# Ended sessions and spent tokens are kept this long (for support and security reviews).
RETENTION = timedelta(days=7)


@queued
class PurgeExpired(BaseTask):
    __task_name__ = "auth.purge_expired"
    __schedule__: ClassVar[list[dict[str, Any]]] = [{"cron": "17 * * * *"}]

    async def run(self) -> dict[str, int]:
        before = utcnow() - RETENTION
        session = self.platform.session
        return {
            "sessions": await SignInSessionRepository(session).purge(before),
            "tokens": await ActionTokenRepository(session).purge(before),
        }


@queued
class SendPasswordReset(BaseTask):
    """Pushed for every restore-password request; mails only an active account's address."""

    __task_name__ = SEND_PASSWORD_RESET

    async def run(self, email: str) -> None:
        await recovery_service(self.platform).send_password_reset(email)


@queued
class ResendVerification(BaseTask):
    """Pushed for every verify-email/resend request; mails only an unverified account's address."""

    __task_name__ = RESEND_VERIFICATION

    async def run(self, email: str) -> None:
        await recovery_service(self.platform).send_verification_again(email)
