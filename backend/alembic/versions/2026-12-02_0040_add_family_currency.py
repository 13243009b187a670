"""add families.currency

The family's ISO 4217 currency: pages format amounts in it, and amounts entered for the family
have its minor units (none with decimals in JPY). The ledger keeps hundredths of the main unit
whatever it is, so no amount changes. NOT NULL with the server default 'USD': the previous
release, still serving during the rollout, inserts families without the column and gets 'USD'.
Existing families take the server's CURRENCY setting (what their pages showed until now) when it
is not USD.

Revision ID: 0040
Revises: 0038
Create Date: 2026-12-02 09:00:00+00:00

"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0040"
down_revision: str | Sequence[str] | None = "0038"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("families", sa.Column("currency", sa.String(3), server_default=sa.text("'USD'"), nullable=False))
    configured = os.environ.get("CURRENCY", "USD").strip().upper()
    if configured != "USD" and re.fullmatch("[A-Z]{3}", configured):
        op.execute(sa.text("UPDATE families SET currency = :code").bindparams(code=configured))


def downgrade() -> None:
    op.drop_column("families", "currency")
