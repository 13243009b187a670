"""create ledger entries

The money ledger: chore earnings, adjustments (bonuses and penalties) and payouts, in integer
cents, immutable. A completion is paid at most once (unique completion_id).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 20:06:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "ledger_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("chore_id", sa.Integer(), nullable=True),
        sa.Column("chore_title", sa.String(length=200), nullable=True),
        sa.Column("completion_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(kind = 'chore_earning' AND amount_cents >= 0) OR (kind = 'adjustment' AND amount_cents <> 0)"
            " OR (kind = 'payout' AND amount_cents > 0)",
            name=op.f("ck_ledger_entries_amount_sign"),
        ),
        sa.CheckConstraint(
            "kind IN ('chore_earning', 'adjustment', 'payout')", name=op.f("ck_ledger_entries_kind")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["users.id"], name=op.f("fk_ledger_entries_author_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_ledger_entries_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["chore_id"], ["chores.id"], name=op.f("fk_ledger_entries_chore_id_chores"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["completion_id"],
            ["chore_completions.id"],
            name=op.f("fk_ledger_entries_completion_id_chore_completions"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_ledger_entries_family_id_families"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_entries")),
        sa.UniqueConstraint("completion_id", name=op.f("uq_ledger_entries_completion_id")),
    )
    op.create_index(op.f("ix_ledger_entries_author_id"), "ledger_entries", ["author_id"], unique=False)
    op.create_index(
        "ix_ledger_entries_child_kind_created", "ledger_entries", ["child_id", "kind", "created_at"], unique=False
    )
    op.create_index(op.f("ix_ledger_entries_chore_id"), "ledger_entries", ["chore_id"], unique=False)
    op.create_index("ix_ledger_entries_family_created", "ledger_entries", ["family_id", "created_at"], unique=False)


def downgrade() -> None:
    op.drop_table("ledger_entries")
