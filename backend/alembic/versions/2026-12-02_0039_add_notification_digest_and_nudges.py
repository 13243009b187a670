"""add notification digest and review nudges

"No spam" (issue 13 point 5): a member's daily digest hour and the family-local day it was last
written for; when a "waiting for review" message last went to its channels and the last
notification it covered. New nullable columns only: the release before ignores them.

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-02 09:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0039"
down_revision: str | Sequence[str] | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("notification_preferences", sa.Column("digest_hour", sa.Integer(), nullable=True))
    op.add_column("notification_preferences", sa.Column("digest_sent_on", sa.String(length=10), nullable=True))
    op.add_column("notification_preferences", sa.Column("review_nudged_at", sa.DateTime(), nullable=True))
    op.add_column("notification_preferences", sa.Column("review_nudge_last_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    op.drop_column("notification_preferences", "review_nudge_last_id")
    op.drop_column("notification_preferences", "review_nudged_at")
    op.drop_column("notification_preferences", "digest_sent_on")
    op.drop_column("notification_preferences", "digest_hour")
