"""create reward_claims

A child's claim on a reward: pending (its cost reserved), approved (ledger_entry_id names the one
debit; unique, so a claim is paid for once), declined (with a reason) or cancelled; a copy of the
reward's title and cost. A new table only: the release before ignores it.

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-02 09:05:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0035"
down_revision: str | Sequence[str] | None = "0034"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def upgrade() -> None:
    op.create_table(
        "reward_claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("family_id", sa.Integer(), nullable=False),
        sa.Column("reward_id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("reward_title", sa.String(length=200), nullable=False),
        sa.Column("cost_cents", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=True),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decline_reason", sa.String(length=500), nullable=True),
        sa.Column("ledger_entry_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'cancelled')", name=op.f("ck_reward_claims_status")
        ),
        sa.CheckConstraint("cost_cents > 0", name=op.f("ck_reward_claims_cost_positive")),
        sa.ForeignKeyConstraint(
            ["family_id"], ["families.id"], name=op.f("fk_reward_claims_family_id_families"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reward_id"], ["rewards.id"], name=op.f("fk_reward_claims_reward_id_rewards"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_reward_claims_child_id_users"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_reward_claims_decided_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["ledger_entry_id"],
            ["ledger_entries.id"],
            name=op.f("fk_reward_claims_ledger_entry_id_ledger_entries"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reward_claims")),
        sa.UniqueConstraint("ledger_entry_id", name=op.f("uq_reward_claims_ledger_entry_id")),
    )
    op.create_index("ix_reward_claims_child_status", "reward_claims", ["child_id", "status"], unique=False)
    op.create_index(
        "ix_reward_claims_family_status_created", "reward_claims", ["family_id", "status", "created_at"], unique=False
    )
    op.create_index(
        "ix_reward_claims_reward_child_created", "reward_claims", ["reward_id", "child_id", "created_at"], unique=False
    )
    op.create_index(op.f("ix_reward_claims_decided_by"), "reward_claims", ["decided_by"], unique=False)


def downgrade() -> None:
    op.drop_table("reward_claims")
