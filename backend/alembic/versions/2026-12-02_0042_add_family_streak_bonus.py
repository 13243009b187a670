"""add families.streak_bonus_percent, streak_bonus_step_days, streak_bonus_cap_percent

The family's optional streak multiplier on chore rewards: a percent added per step of a child's
day streak, the step's length in days, and the most it adds. Nullable: NULL (every family of the
release before, and every family it makes) is "no streak bonus".

Revision ID: 0042
Revises: 0041
Create Date: 2026-12-02 09:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0042"
down_revision: str | Sequence[str] | None = "0041"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("families", sa.Column("streak_bonus_percent", sa.Integer(), nullable=True))
    op.add_column("families", sa.Column("streak_bonus_step_days", sa.Integer(), nullable=True))
    op.add_column("families", sa.Column("streak_bonus_cap_percent", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("families") as batch:
        batch.drop_column("streak_bonus_cap_percent")
        batch.drop_column("streak_bonus_step_days")
        batch.drop_column("streak_bonus_percent")
