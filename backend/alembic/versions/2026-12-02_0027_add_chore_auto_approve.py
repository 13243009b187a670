"""add chores.auto_approve

A chore whose completions are approved at once, at the fixed reward. Not null with a server
default of false: the previous release inserts chores without it, and they are reviewed as before.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-02 02:20:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0027"
down_revision: str | Sequence[str] | None = "0026"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("chores", sa.Column("auto_approve", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("chores") as batch:
        batch.drop_column("auto_approve")
