"""add families.revision

A counter every write to a family bumps in the write's own transaction (chores_tracker.db.revisions):
the main reads tag their answers with it (ETag), and a request carrying the tag back (If-None-Match)
is answered 304 after one lookup by primary key. NOT NULL with the server default 0: the previous
release, still serving during the rollout, inserts families without the column. It does not bump
the counter either: docs/performance.md says what that means for the rollout's few minutes.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02 01:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("families", sa.Column("revision", sa.BigInteger(), server_default=sa.text("0"), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("families") as batch:
        batch.drop_column("revision")
