"""create activities

The activity feed: one row per state change, with copies of what it was about.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 20:07:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "activities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("activity_type", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("chore_id", sa.Integer(), nullable=True),
        sa.Column("chore_title", sa.String(length=200), nullable=True),
        sa.Column("amount_cents", sa.BigInteger(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["chore_id"], ["chores.id"], name=op.f("fk_activities_chore_id_chores"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_activities_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_activities_ledger_entry_id_ledger_entries"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["target_user_id"], ["users.id"], name=op.f("fk_activities_target_user_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_activities_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activities")),
    )
    op.create_index(op.f("ix_activities_chore_id"), "activities", ["chore_id"], unique=False)
    op.create_index("ix_activities_family_created", "activities", ["family_id", "created_at"], unique=False)
    op.create_index("ix_activities_family_type", "activities", ["family_id", "activity_type"], unique=False)
    op.create_index(op.f("ix_activities_ledger_entry_id"), "activities", ["ledger_entry_id"], unique=False)
    op.create_index("ix_activities_target_created", "activities", ["target_user_id", "created_at"], unique=False)
    op.create_index("ix_activities_user_created", "activities", ["user_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("activities")
