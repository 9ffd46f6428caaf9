"""The auth module's background work: mailing recovery links, and housekeeping of its tables."""

from datetime import timedelta
from typing import Any, ClassVar

from app.auth.config import AuthConfig
from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.audit_entry import AuditEntryRepository
from app.auth.repositories.sign_in_session import SignInSessionRepository
from app.auth.schemas.payloads import (
    PurgeAuditTrailPayload,
    PurgeExpiredPayload,
    ResendVerificationPayload,
    SendPasswordResetPayload,
)
from app.auth.services.factory import recovery_service
from app.core.clock import utcnow
from app.core.log import logger
from app.core.queue.task import BaseTask, queued

# Ended sessions and spent tokens are kept this long (for support and security reviews).
RETENTION = timedelta(days=7)
# Audit entries deleted per transaction: a backlog goes in short transactions, not one huge one.
AUDIT_PURGE_BATCH = 1000


@queued
class PurgeExpired(BaseTask[PurgeExpiredPayload]):
    __schedule__: ClassVar[list[dict[str, Any]]] = [{"cron": "17 * * * *"}]

    async def run(self, payload: PurgeExpiredPayload) -> dict[str, int]:
        del payload
        before = utcnow() - RETENTION
        session = self.platform.session
        return {
            "sessions": await SignInSessionRepository(session).purge(before),
            "tokens": await ActionTokenRepository(session).purge(before),
        }


@queued
class PurgeAuditTrail(BaseTask[PurgeAuditTrailPayload]):
    """Deletes audit entries older than AUTH_AUDIT_RETENTION, oldest first, in batches."""

    __max_attempts__ = 1
    __schedule__: ClassVar[list[dict[str, Any]]] = [{"cron": "23 * * * *"}]

    async def run(self, payload: PurgeAuditTrailPayload) -> dict[str, int]:
        del payload
        platform = self.platform
        before = utcnow() - timedelta(seconds=platform.settings(AuthConfig).AUDIT_RETENTION)
        session_factory = platform.unit_of_work.session_factory
        deleted = 0
        while True:
            async with session_factory() as session, session.begin():
                count = await AuditEntryRepository(session).delete_oldest(before, AUDIT_PURGE_BATCH)
            deleted += count
            if count < AUDIT_PURGE_BATCH:
                break
        if deleted:
            logger.info("expired audit entries deleted", deleted=deleted)
        return {"deleted": deleted}


@queued
class SendPasswordReset(BaseTask[SendPasswordResetPayload]):
    """Pushed for every restore-password request; mails only an active account's address."""

    async def run(self, payload: SendPasswordResetPayload) -> None:
        await recovery_service(self.platform).send_password_reset(payload.email)


@queued
class ResendVerification(BaseTask[ResendVerificationPayload]):
    """Pushed for every verify-email/resend request; mails only an unverified account's address."""

    async def run(self, payload: ResendVerificationPayload) -> None:
        await recovery_service(self.platform).send_verification_again(payload.email)
