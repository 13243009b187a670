"""add families.owner_id

A family has an owner (its creator, transferable): only the owner removes a parent. Nullable: the
previous release creates families without one, and the code then takes the earliest-joined parent.

No foreign key to users: SQLite adds one to an existing table only by rebuilding the table, and
with foreign keys on, dropping the old `families` deletes its chores and activities and takes
every member out of the family. The code reads the owner only through a query that checks the
owner is still a parent of the family, which is what ON DELETE SET NULL would give (and the app
deletes no user).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01 09:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("families", sa.Column("owner_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("families", "owner_id")
