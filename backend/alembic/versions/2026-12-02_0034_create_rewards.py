"""create rewards

A family's rewards catalogue: title, cost in cents, optional stock, optional per-child limit per
week or month, active flag. A new table only: the release before ignores it.

Revision ID: 0034
Revises: 0030
Create Date: 2026-12-02 09:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0034"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "rewards",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("stock", sa.Integer(), nullable=True),
        sa.Column("limit_count", sa.Integer(), nullable=True),
        sa.Column("limit_period", sa.String(length=8), nullable=True),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("cost_cents > 0", name=op.f("ck_rewards_cost_positive")),
        sa.CheckConstraint("stock IS NULL OR stock >= 0", name=op.f("ck_rewards_stock_not_negative")),
        sa.CheckConstraint("limit_count IS NULL OR limit_count > 0", name=op.f("ck_rewards_limit_positive")),
        sa.CheckConstraint(
            "limit_period IS NULL OR limit_period IN ('week', 'month')", name=op.f("ck_rewards_limit_period")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_rewards_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_rewards_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rewards")),
    )
    op.create_index(op.f("ix_rewards_family_id"), "rewards", ["family_id"], unique=False)
    op.create_index(op.f("ix_rewards_created_by"), "rewards", ["created_by"], unique=False)


def downgrade() -> None:
    op.drop_table("rewards")
