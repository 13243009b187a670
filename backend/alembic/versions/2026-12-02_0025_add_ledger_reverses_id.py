"""add ledger_entries.reverses_id

The entry a parent's reversal compensates (an adjustment of the opposite effect); a unique index,
so an entry is reversed at most once however many parents press "Undo" at once. Nullable, and no
foreign key (SQLite adds one to an existing table only by rebuilding it): the previous release
writes entries without it and reads reversals as the adjustments they are.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-02 02:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | Sequence[str] | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("ledger_entries", sa.Column("reverses_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_ledger_entries_reverses_id"), "ledger_entries", ["reverses_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_entries_reverses_id"), table_name="ledger_entries")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("reverses_id")
