"""backfill families.owner_id

Each existing family is owned by its earliest-joined parent (by family_joined_at, then id), the
same rule the code applies to a family without an owner.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 09:01:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False

families = sa.table("families", sa.column("id", sa.Integer()), sa.column("owner_id", sa.Integer()))
users = sa.table(
    "users",
    sa.column("id", sa.Integer()),
    sa.column("family_id", sa.Integer()),
    sa.column("is_parent", sa.Boolean()),
    sa.column("family_joined_at", sa.DateTime()),
)


def upgrade() -> None:
    earliest_parent = (
        sa.select(users.c.id)
        .where(users.c.family_id == families.c.id, users.c.is_parent.is_(True))
        # NULL join times last on every database (PostgreSQL would sort them first otherwise).
        .order_by(users.c.family_joined_at.is_(None), users.c.family_joined_at, users.c.id)
        .limit(1)
        .scalar_subquery()
    )
    op.execute(families.update().where(families.c.owner_id.is_(None)).values(owner_id=earliest_parent))


def downgrade() -> None:
    # The column goes with 0008's downgrade; owners set since cannot be told from backfilled ones.
    pass
