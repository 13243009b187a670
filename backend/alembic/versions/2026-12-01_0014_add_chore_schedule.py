"""add chores.schedule and chores.schedule_start

A chore's schedule (its JSON text: kind, interval, weekdays, due time, season, lead, grace, missed
penalty, rotation) and the instant from which its occurrences are made. Both nullable: the previous
release, still serving during the rollout, writes chores without them, and the new release reads
such a chore's schedule from is_recurring and cooldown_days (which it keeps writing too). Revision
0018 fills them for existing chores; a later release's contract step drops cooldown_days.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 13:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("chores", sa.Column("schedule", sa.Text(), nullable=True))
    op.add_column("chores", sa.Column("schedule_start", sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("chores") as batch:
        batch.drop_column("schedule_start")
        batch.drop_column("schedule")
