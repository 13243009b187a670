"""create chores

A chore belongs to a family: a fixed reward or a min-max range (integer cents), one-off or
recurring with a cooldown, for one child, several children, or the family's pool.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 20:03:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "chores",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("reward_cents", sa.BigInteger(), nullable=True),
        sa.Column("is_range_reward", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("min_reward_cents", sa.BigInteger(), nullable=True),
        sa.Column("max_reward_cents", sa.BigInteger(), nullable=True),
        sa.Column("is_recurring", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("cooldown_days", sa.Integer(), nullable=True),
        sa.Column("assignment_mode", sa.String(length=20), nullable=False),
        sa.Column("is_disabled", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("deleted_at", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.CheckConstraint(
            "assignment_mode IN ('single', 'multi_independent', 'unassigned')", name=op.f("ck_chores_assignment_mode")
        ),
        sa.ForeignKeyConstraint(
            ["creator_id"], ["users.id"], name=op.f("fk_chores_creator_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_chores_family_id_families"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chores")),
    )
    op.create_index(op.f("ix_chores_creator_id"), "chores", ["creator_id"], unique=False)
    op.create_index(op.f("ix_chores_family_id"), "chores", ["family_id"], unique=False)


def downgrade() -> None:
    op.drop_table("chores")
