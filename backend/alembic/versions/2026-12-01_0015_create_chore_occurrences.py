"""create chore_occurrences

One row per chore, lane (a child, or 0 for the chore's one lane) and due date, unique on the three,
so an occurrence is never doubled. A new table only: the release before ignores it.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 13:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "chore_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chore_id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("lane", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("due_from", sa.DateTime(), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("overdue_at", sa.DateTime(), nullable=False),
        sa.Column("missed_at", sa.DateTime(), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("completion_id", sa.Integer(), nullable=True),
        sa.Column("missed_penalty_cents", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("timezone", sa.String(length=64), server_default=sa.text("'UTC'"), nullable=False),
        sa.Column("snoozed_days", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("penalty_entry_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "state IN ('upcoming', 'due', 'overdue', 'done', 'approved', 'rejected', 'skipped', 'missed')",
            name=op.f("ck_chore_occurrences_state"),
        ),
        sa.ForeignKeyConstraint(
            ["chore_id"], ["chores.id"], name=op.f("fk_chore_occurrences_chore_id_chores"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_chore_occurrences_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_chore_occurrences_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["completion_id"],
            ["chore_completions.id"],
            name=op.f("fk_chore_occurrences_completion_id_chore_completions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["penalty_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_chore_occurrences_penalty_entry_id_ledger_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chore_occurrences")),
        sa.UniqueConstraint("chore_id", "lane", "due_on", name="uq_chore_occurrences_chore_lane_due_on"),
    )
    op.create_index(op.f("ix_chore_occurrences_child_id"), "chore_occurrences", ["child_id"], unique=False)
    op.create_index(
        op.f("ix_chore_occurrences_completion_id"), "chore_occurrences", ["completion_id"], unique=False
    )
    op.create_index(
        op.f("ix_chore_occurrences_penalty_entry_id"), "chore_occurrences", ["penalty_entry_id"], unique=False
    )
    op.create_index("ix_chore_occurrences_family_due_on", "chore_occurrences", ["family_id", "due_on"], unique=False)
    op.create_index("ix_chore_occurrences_state_due_from", "chore_occurrences", ["state", "due_from"], unique=False)


def downgrade() -> None:
    op.drop_table("chore_occurrences")
