"""Periodic housekeeping of the auth tables."""

from datetime import timedelta
from typing import Any, ClassVar

from app.auth.repositories.action_token import ActionTokenRepository
from app.auth.repositories.session import SessionRepository
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
        session = self.context.session
        return {
            "sessions": await SessionRepository(session).purge(before),
            "tokens": await ActionTokenRepository(session).purge(before),
        }
