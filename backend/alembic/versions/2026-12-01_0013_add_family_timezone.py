"""add families.timezone

The family's IANA time zone: schedules do their calendar arithmetic in it and the pages show times
in it; storage stays UTC. NOT NULL with the server default 'UTC' rather than nullable: the previous
release, still serving during the rollout, inserts families without the column and gets 'UTC';
existing families keep what their pages have shown until now (UTC); and no reader needs a NULL case.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 12:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column(
        "families", sa.Column("timezone", sa.String(64), server_default=sa.text("'UTC'"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("families", "timezone")
