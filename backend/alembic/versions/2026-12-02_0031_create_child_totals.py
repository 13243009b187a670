"""create child_totals and ledger_markers

Each child's running totals over the whole ledger (earned and how many earnings, adjustments, paid
out), filled here from the existing ledger and from now on updated in the same transaction as each
ledger row. New tables only: the release before ignores them, and keeps writing ledger rows without
updating the totals during a rolling update. So on a database that already has families, this
revision also sets the marker `child_totals_unverified` (ledger_markers): the new release's reads
add up the ledger as before while it is set, and `chores-tracker db verify-totals --fix`, run once
the rollout is over, rewrites any total that missed an entry and removes it. A new database (no
family yet) has no older writer: its totals are trusted from the start.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-02 09:00:00+00:00

"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | Sequence[str] | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CONTRACT = False


def _sum_of(kind: str) -> str:
    return f"COALESCE(SUM(CASE WHEN kind = '{kind}' THEN amount_cents ELSE 0 END), 0)"


def upgrade() -> None:
    op.create_table(
        "child_totals",
        sa.Column("child_id", sa.Integer(), nullable=False),
        sa.Column("earned_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("earned_count", sa.Integer(), server_default="0", nullable=False),
        sa.Column("adjustments_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("paid_out_cents", sa.BigInteger(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["users.id"], name=op.f("fk_child_totals_child_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("child_id", name=op.f("pk_child_totals")),
    )
    op.create_table(
        "ledger_markers",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("set_at", sa.DateTime(), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_ledger_markers")),
    )
    # One row when the database has any family (a release before may be writing), none on a new one.
    op.execute("INSERT INTO ledger_markers (name) SELECT DISTINCT 'child_totals_unverified' FROM families")
    op.execute(
        sa.text(
            "INSERT INTO child_totals (child_id, earned_cents, earned_count, adjustments_cents, paid_out_cents) "
            f"SELECT child_id, {_sum_of('chore_earning')}, "
            "COALESCE(SUM(CASE WHEN kind = 'chore_earning' THEN 1 ELSE 0 END), 0), "
            f"{_sum_of('adjustment')}, {_sum_of('payout')} "
            "FROM ledger_entries GROUP BY child_id"
        )
    )


def downgrade() -> None:
    op.drop_table("ledger_markers")
    op.drop_table("child_totals")
