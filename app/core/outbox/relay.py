"""The relay: publishes outbox messages that are due and unpublished (the broker was down, the
process died after commit, a retry's backoff has passed), and republishes ones published long
ago and never completed (their consumers are idempotent). Runs periodically from the scheduler.
"""

from datetime import timedelta
from typing import Any

from sqlalchemy import or_, select

from app.core.clock import utcnow
from app.core.config import AppConfig
from app.core.log import logger
from app.core.outbox.models import OutboxMessage
from app.core.queue.payload import TaskPayload
from app.core.queue.task import BaseTask, queued

RELAY_BATCH = 500
# Fresh messages are being published by the request that wrote them.
FRESH_GRACE = timedelta(seconds=2)


class RelayOutboxPayload(TaskPayload):
    __task_name__ = "outbox.relay"
    # None: FRESH_GRACE (tests relay messages written a moment ago).
    grace_seconds: float | None = None


@queued
class RelayOutbox(BaseTask[RelayOutboxPayload]):
    __max_attempts__ = 1

    @classmethod
    def schedule(cls, config: AppConfig) -> list[dict[str, Any]]:
        return [{"interval": config.OUTBOX_RELAY_INTERVAL}]

    async def run(self, payload: RelayOutboxPayload) -> dict[str, int]:
        platform = self.platform
        now = utcnow()
        grace = FRESH_GRACE if payload.grace_seconds is None else timedelta(seconds=payload.grace_seconds)
        stale = now - timedelta(seconds=platform.config.OUTBOX_REDELIVER_AFTER)
        claim = (
            select(OutboxMessage)
            .where(
                OutboxMessage.completed_at.is_(None),
                OutboxMessage.dead_at.is_(None),
                OutboxMessage.available_at <= now - grace,
                or_(OutboxMessage.published_at.is_(None), OutboxMessage.published_at < stale),
            )
            .order_by(OutboxMessage.id)
            .limit(RELAY_BATCH)
            # Rows a worker is running are locked by it, and another relay's claims by that relay.
            .with_for_update(skip_locked=True)
        )
        due = list(await platform.session.scalars(claim))
        for message in due:
            message.published_at = now
        if due:
            publisher, factory = platform.resources.publisher, platform.unit_of_work.session_factory

            async def publish() -> None:
                sent = await publisher.publish_claimed(due, factory)
                logger.info("outbox relayed", published=sent, due=len(due))

            # After commit: the claim is durable and the row locks are released before workers
            # (possibly in this very process) pick the messages up.
            platform.after_commit(publish)
        return {"due": len(due)}
