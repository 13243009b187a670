"""add families.language

The language the family's pages are shown in ("en" or "es"), chosen by its owner. Nullable, with
no default: NULL (every existing family, and those the previous release creates while it still
serves) means each reader's browser chooses (Accept-Language among en and es, else English).

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-02 10:00:00+00:00

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0041"
down_revision: str | Sequence[str] | None = "0040"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("families", sa.Column("language", sa.String(8), nullable=True))


def downgrade() -> None:
    op.drop_column("families", "language")
