"""auth: the audit log (audit_event), append-only

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Entries are written and, past retention, deleted; never changed.
APPEND_ONLY = """
CREATE FUNCTION audit_event_refuse_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_event is append-only: entries are never updated';
END
$$;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE ON audit_event
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_update();
"""


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("event", sa.String(length=50), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("target_id", sa.BigInteger(), nullable=True),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        sa.Column("request_id", sa.String(length=128), nullable=True),
        sa.Column(
            "details",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.create_index("ix_audit_event_actor_time", "audit_event", ["actor_id", "created_at"], unique=False)
    op.create_index("ix_audit_event_target_time", "audit_event", ["target_id", "created_at"], unique=False)
    op.create_index("ix_audit_event_event_time", "audit_event", ["event", "created_at"], unique=False)
    op.create_index(op.f("ix_audit_event_created_at"), "audit_event", ["created_at"], unique=False)
    op.execute(APPEND_ONLY)


def downgrade() -> None:
    op.execute("DROP TRIGGER audit_event_append_only ON audit_event")
    op.execute("DROP FUNCTION audit_event_refuse_update()")
    op.drop_index(op.f("ix_audit_event_created_at"), table_name="audit_event")
    op.drop_index("ix_audit_event_event_time", table_name="audit_event")
    op.drop_index("ix_audit_event_target_time", table_name="audit_event")
    op.drop_index("ix_audit_event_actor_time", table_name="audit_event")
    op.drop_table("audit_event")
