"""add ledger_entries.occurrence_id

The missed occurrence a penalty was charged for; a unique index, so that a missed occurrence is
charged at most once whatever runs the time step. Nullable, and no foreign key (SQLite adds one to
an existing table only by rebuilding it): the previous release writes entries without it.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-01 13:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("ledger_entries", sa.Column("occurrence_id", sa.Integer(), nullable=True))
    op.create_index(op.f("ix_ledger_entries_occurrence_id"), "ledger_entries", ["occurrence_id"], unique=True)


def downgrade() -> None:
    op.drop_index(op.f("ix_ledger_entries_occurrence_id"), table_name="ledger_entries")
    with op.batch_alter_table("ledger_entries") as batch:
        batch.drop_column("occurrence_id")
