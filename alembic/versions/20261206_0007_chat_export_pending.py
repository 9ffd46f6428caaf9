"""chat export jobs: one pending export per requester and room

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 08:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Jobs left pending or running by earlier versions (a dead-lettered task never marked them)
    # would collide with the new index, and nothing is going to finish them: they failed.
    op.execute(
        "UPDATE chat_export_job SET status = 'failed', finished_at = now() "
        "WHERE status IN ('pending', 'running') AND id NOT IN ("
        "SELECT max(id) FROM chat_export_job WHERE status IN ('pending', 'running') "
        "GROUP BY room_id, requested_by)"
    )
    op.create_index(
        "uq_chat_export_job_pending",
        "chat_export_job",
        ["room_id", "requested_by"],
        unique=True,
        postgresql_where=sa.text("status IN ('pending', 'running')"),
    )


def downgrade() -> None:
    op.drop_index(
        "uq_chat_export_job_pending",
        table_name="chat_export_job",
        postgresql_where=sa.text("status IN ('pending', 'running')"),
    )
