"""create chore completions

One row per completion of a chore by a child, then its review (approved with the amount, or
rejected with the reason). Never rewritten: the history of every recurring cycle.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 20:05:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "chore_completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chore_id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=True),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("completed_at", sa.DateTime(), nullable=False),
        sa.Column("reviewed_at", sa.DateTime(), nullable=True),
        sa.Column("reviewer_id", sa.Integer(), nullable=True),
        sa.Column("reward_cents", sa.BigInteger(), nullable=True),
        sa.Column("rejection_reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'rejected')", name=op.f("ck_chore_completions_status")
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["chore_assignments.id"],
            name=op.f("fk_chore_completions_assignment_id_chore_assignments"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_chore_completions_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chore_id"], ["chores.id"], name=op.f("fk_chore_completions_chore_id_chores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_chore_completions_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_chore_completions_reviewer_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chore_completions")),
    )
    op.create_index(op.f("ix_chore_completions_assignment_id"), "chore_completions", ["assignment_id"], unique=False)
    op.create_index("ix_chore_completions_child_status", "chore_completions", ["child_id", "status"], unique=False)
    op.create_index(op.f("ix_chore_completions_chore_id"), "chore_completions", ["chore_id"], unique=False)
    op.create_index("ix_chore_completions_family_status", "chore_completions", ["family_id", "status"], unique=False)
    op.create_index(op.f("ix_chore_completions_reviewer_id"), "chore_completions", ["reviewer_id"], unique=False)


def downgrade() -> None:
    op.drop_table("chore_completions")
