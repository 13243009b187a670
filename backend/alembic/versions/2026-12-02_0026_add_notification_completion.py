"""add notifications.completion_id

The completion a "chore waiting for review" notification is about, so its message can carry signed
approve and send-back links bound to that completion. Nullable, no foreign key (SQLite adds one to
an existing table only by rebuilding it): the release before ignores it.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-02 02:15:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | Sequence[str] | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("notifications", sa.Column("completion_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("completion_id")
