"""add families.invite_code_max_uses and invite_code_uses

An invite code lets in a set number of parents (one by default). A code without a limit (NULL,
every code from before) lets nobody in.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01 09:02:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.add_column("families", sa.Column("invite_code_max_uses", sa.Integer(), nullable=True))
    op.add_column(
        "families", sa.Column("invite_code_uses", sa.Integer(), server_default=sa.text("0"), nullable=False)
    )


def downgrade() -> None:
    op.drop_column("families", "invite_code_uses")
    op.drop_column("families", "invite_code_max_uses")
