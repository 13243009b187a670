"""create savings_goals

A child's savings goal: title, target in cents, who set it, and reached_at (set once, when the
child's balance first reaches the target). A new table only: the release before ignores it.

Revision ID: 0036
Revises: 0035
Create Date: 2026-12-02 09:10:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | Sequence[str] | None = "0035"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "savings_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("target_cents", sa.BigInteger(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("reached_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint("target_cents > 0", name=op.f("ck_savings_goals_target_positive")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_savings_goals_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_savings_goals_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_savings_goals_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_savings_goals")),
    )
    op.create_index("ix_savings_goals_child_created", "savings_goals", ["child_id", "created_at"], unique=False)
    op.create_index(op.f("ix_savings_goals_created_by"), "savings_goals", ["created_by"], unique=False)
    op.create_index(op.f("ix_savings_goals_family_id"), "savings_goals", ["family_id"], unique=False)


def downgrade() -> None:
    op.drop_table("savings_goals")
