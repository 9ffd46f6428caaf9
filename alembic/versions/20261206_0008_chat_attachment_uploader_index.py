"""chat attachments: index on the uploader, for the per-user attachment quota

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 08:40:00.000000+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(op.f("ix_chat_attachment_uploader_id"), "chat_attachment", ["uploader_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_chat_attachment_uploader_id"), table_name="chat_attachment")
