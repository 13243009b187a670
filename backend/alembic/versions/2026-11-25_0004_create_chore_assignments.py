"""create chore assignments

The standing slot of a child on a chore (or the pool's one slot): its current cycle only.
State changes are conditional updates on this row, so concurrent clicks act once.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 20:04:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "chore_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chore_id", sa.Integer(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=True),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.Column("approval_reward_cents", sa.BigInteger(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.Column("available_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('available', 'completed', 'approved')", name=op.f("ck_chore_assignments_state")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["users.id"], name=op.f("fk_chore_assignments_assignee_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chore_id"], ["chores.id"], name=op.f("fk_chore_assignments_chore_id_chores"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chore_assignments")),
        sa.UniqueConstraint("chore_id", "assignee_id", name="uq_chore_assignments_chore_assignee"),
    )
    op.create_index(op.f("ix_chore_assignments_assignee_id"), "chore_assignments", ["assignee_id"], unique=False)
    op.create_index(op.f("ix_chore_assignments_state"), "chore_assignments", ["state"], unique=False)


def downgrade() -> None:
    op.drop_table("chore_assignments")
