"""The platform's own tables; Alembic and the composition roots import this module."""

from app.core.outbox.models import OutboxMessage

__all__ = ["OutboxMessage"]
