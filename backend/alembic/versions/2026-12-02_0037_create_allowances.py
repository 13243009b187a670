"""create allowances and allowance_runs

A child's weekly or monthly allowance (amount in cents, weekday or day of month, family-local
minute of the day, from when), and one run per child and period (unique child_id + period_key:
the time step credits a period once, whatever runs it). New tables only: the release before
ignores them.

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-02 09:15:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0037"
down_revision: str | Sequence[str] | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "allowances",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("amount_cents", sa.BigInteger(), nullable=False),
        sa.Column("period", sa.String(length=8), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=True),
        sa.Column("day_of_month", sa.Integer(), nullable=True),
        sa.Column("minute_of_day", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("starts_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint("amount_cents > 0", name=op.f("ck_allowances_amount_positive")),
        sa.CheckConstraint("period IN ('week', 'month')", name=op.f("ck_allowances_period")),
        sa.CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name=op.f("ck_allowances_weekday")),
        sa.CheckConstraint(
            "day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)",
            name=op.f("ck_allowances_day_of_month"),
        ),
        sa.CheckConstraint(
            "minute_of_day >= 0 AND minute_of_day < 1440", name=op.f("ck_allowances_minute_of_day")
        ),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_allowances_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["child_id"], ["users.id"], name=op.f("fk_allowances_child_id_users"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_allowances_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allowances")),
        sa.UniqueConstraint("child_id", name=op.f("uq_allowances_child_id")),
    )
    op.create_index(op.f("ix_allowances_family_id"), "allowances", ["family_id"], unique=False)
    op.create_index(op.f("ix_allowances_created_by"), "allowances", ["created_by"], unique=False)
    op.create_table(
        "allowance_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("allowance_id", sa.Integer(), nullable=True),
        sa.Column("period_key", sa.String(length=24), nullable=False),
        sa.Column("due_at", sa.DateTime(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_allowance_runs_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_allowance_runs_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["allowance_id"],
            ["allowances.id"],
            name=op.f("fk_allowance_runs_allowance_id_allowances"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_allowance_runs_ledger_entry_id_ledger_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_allowance_runs")),
        sa.UniqueConstraint("child_id", "period_key", name=op.f("uq_allowance_runs_child_id")),
        sa.UniqueConstraint("ledger_entry_id", name=op.f("uq_allowance_runs_ledger_entry_id")),
    )
    op.create_index(op.f("ix_allowance_runs_allowance_id"), "allowance_runs", ["allowance_id"], unique=False)
    op.create_index(op.f("ix_allowance_runs_family_id"), "allowance_runs", ["family_id"], unique=False)


def downgrade() -> None:
    op.drop_table("allowance_runs")
    op.drop_table("allowances")
