"""create child_pauses

A child away between two family-local dates: nothing falls due for it, no penalty. A new table
only: the release before ignores it.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-01 13:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "child_pauses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("first_day", sa.Date(), nullable=False),
        sa.Column("last_day", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("first_day <= last_day", name=op.f("ck_child_pauses_days_in_order")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_child_pauses_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_child_pauses_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_child_pauses_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child_pauses")),
    )
    op.create_index(op.f("ix_child_pauses_family_id"), "child_pauses", ["family_id"], unique=False)
    op.create_index(op.f("ix_child_pauses_child_id"), "child_pauses", ["child_id"], unique=False)
    op.create_index(op.f("ix_child_pauses_created_by"), "child_pauses", ["created_by"], unique=False)


def downgrade() -> None:
    op.drop_table("child_pauses")
