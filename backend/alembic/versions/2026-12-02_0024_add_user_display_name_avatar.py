"""add users.display_name and users.avatar

The name a family sees instead of the server-wide username, and an avatar (a colour name or one
emoji). Both nullable: the previous release writes users without them, and pages then show the
username and a colour chosen from it, as before.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-02 01:30:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | Sequence[str] | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("users", sa.Column("display_name", sa.String(length=40), nullable=True))
    op.add_column("users", sa.Column("avatar", sa.String(length=32), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("avatar")
        batch.drop_column("display_name")
