"""The outbox: side effects requested in a transaction are rows of that same transaction.

A row is published to the broker after commit; the worker that runs it locks the row, does the
work and marks it completed in one transaction, so a message delivered twice takes effect once.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Index, String, Text, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.core.db import BaseModel


class OutboxMessage(BaseModel):
    __tablename__ = "outbox_message"
    __table_args__ = (
        # The relay scans only what is still to do.
        Index(
            "ix_outbox_message_pending",
            "available_at",
            postgresql_where=text("completed_at IS NULL AND dead_at IS NULL"),
        ),
        # Retention deletes completed rows oldest first; operators list the dead letters.
        Index(
            "ix_outbox_message_completed", "completed_at", postgresql_where=text("completed_at IS NOT NULL")
        ),
        Index(
            "ix_outbox_message_dead",
            "dead_at",
            postgresql_where=text("dead_at IS NOT NULL AND completed_at IS NULL"),
        ),
    )

    task_name: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # Context of the requester (request id), bound into the task's logs.
    context: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    available_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    completed_at: Mapped[datetime | None] = mapped_column(default=None)
    dead_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)

    @property
    def is_finished(self) -> bool:
        return self.completed_at is not None or self.dead_at is not None
