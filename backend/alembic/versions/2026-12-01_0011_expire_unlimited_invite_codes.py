"""expire invite codes without an expiry or a use limit

Every code from before use limits was shown to the family's children, and codes of families made
when a first child was added never expired. They expire now, so that the previous release (which
checks only the expiry) refuses them too during the rollout. Parents make a new code.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 09:03:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timezone

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False

families = sa.table(
    "families",
    sa.column("invite_code_expires_at", sa.DateTime()),
    sa.column("invite_code_max_uses", sa.Integer()),
)


def upgrade() -> None:
    # Naive UTC, as the app stores times (a database's own now() follows its session time zone).
    now = datetime.now(timezone.utc).replace(tzinfo=None, microsecond=0)
    op.execute(
        families.update()
        .where(sa.or_(families.c.invite_code_expires_at.is_(None), families.c.invite_code_max_uses.is_(None)))
        .values(invite_code_expires_at=now)
    )


def downgrade() -> None:
    # An expired code stays expired: bringing old codes back would reopen what this closed.
    pass
