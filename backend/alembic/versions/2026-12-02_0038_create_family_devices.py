"""create family_devices; add users.pin_hash, pin_failures, pin_locked_until

Kid sign-in on a shared device: a family's devices (a browser a parent turned into one: name, the
SHA-256 of its cookie's random token, who made it, last use, revocation), and a child's PIN (its
Argon2 hash, the failures in a row, and until when PIN sign-in is locked). A new table and nullable
columns only: the release before ignores them (a NULL pin_hash is "no PIN", NULL failures are none).

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-02 08:45:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | Sequence[str] | None = "0037"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "family_devices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("last_used_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_family_devices_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["users.id"], name=op.f("fk_family_devices_created_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_family_devices")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_family_devices_token_hash")),
    )
    op.create_index(op.f("ix_family_devices_family_id"), "family_devices", ["family_id"], unique=False)
    op.create_index(op.f("ix_family_devices_created_by_id"), "family_devices", ["created_by_id"], unique=False)
    op.add_column("users", sa.Column("pin_hash", sa.String(length=255), nullable=True))
    op.add_column("users", sa.Column("pin_failures", sa.Integer(), nullable=True))
    op.add_column("users", sa.Column("pin_locked_until", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("pin_locked_until")
        batch.drop_column("pin_failures")
        batch.drop_column("pin_hash")
    op.drop_table("family_devices")
