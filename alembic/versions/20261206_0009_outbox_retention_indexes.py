"""outbox: indexes for retention (completed rows by completion time) and for dead letters

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-06 09:05:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_outbox_message_completed",
        "outbox_message",
        ["completed_at"],
        unique=False,
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )
    op.create_index(
        "ix_outbox_message_dead",
        "outbox_message",
        ["dead_at"],
        unique=False,
        postgresql_where=sa.text("dead_at IS NOT NULL AND completed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index(
        "ix_outbox_message_dead",
        table_name="outbox_message",
        postgresql_where=sa.text("dead_at IS NOT NULL AND completed_at IS NULL"),
    )
    op.drop_index(
        "ix_outbox_message_completed",
        table_name="outbox_message",
        postgresql_where=sa.text("completed_at IS NOT NULL"),
    )
