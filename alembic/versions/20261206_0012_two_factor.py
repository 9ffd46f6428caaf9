"""auth: TOTP two-factor secrets, recovery codes, and when each session last authenticated

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 12:00:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_user_totp",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("encrypted_secret", sa.String(length=500), nullable=False),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_step", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_user_totp_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_user_totp")),
        sa.UniqueConstraint("user_id", name=op.f("uq_auth_user_totp_user_id")),
    )
    op.create_table(
        "auth_recovery_code",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["auth_user.id"],
            name=op.f("fk_auth_recovery_code_user_id_auth_user"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_recovery_code")),
    )
    op.create_index(op.f("ix_auth_recovery_code_user_id"), "auth_recovery_code", ["user_id"], unique=False)
    # Sessions signed in before this revision authenticated with a password when they began.
    op.add_column("auth_session", sa.Column("authenticated_at", sa.DateTime(timezone=True), nullable=True))
    op.execute("UPDATE auth_session SET authenticated_at = created_at")
    op.alter_column("auth_session", "authenticated_at", nullable=False)
    op.add_column(
        "auth_session",
        sa.Column(
            "auth_methods",
            sa.ARRAY(sa.String(length=16)),
            server_default=sa.text("'{pwd}'"),
            nullable=False,
        ),
    )
    op.alter_column("auth_session", "auth_methods", server_default=None)


def downgrade() -> None:
    op.drop_column("auth_session", "auth_methods")
    op.drop_column("auth_session", "authenticated_at")
    op.drop_index(op.f("ix_auth_recovery_code_user_id"), table_name="auth_recovery_code")
    op.drop_table("auth_recovery_code")
    op.drop_table("auth_user_totp")
