"""The money ledger: one immutable row per chore earning, adjustment (bonus or penalty) and payout.

Balances and reports are sums over it; each child's all-time sums are also kept as running totals
(RunningTotals, the table child_totals), updated in the same transaction as each ledger row. Rows are never updated or deleted by the application;
an earning keeps a copy of the chore's title, so editing or deleting the chore later changes
nothing a child has earned.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chores_tracker import clock
from chores_tracker.db.base import Base, UTCDateTime


class EntryKind(str, Enum):
    chore_earning = "chore_earning"
    adjustment = "adjustment"
    payout = "payout"


class LedgerEntry(Base):
    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("kind IN ('chore_earning', 'adjustment', 'payout')", name="kind"),
        # Earnings are never negative, adjustments never zero, payouts always positive
        # (a payout is subtracted from the balance, see ledger.service).
        CheckConstraint(
            "(kind = 'chore_earning' AND amount_cents >= 0) OR (kind = 'adjustment' AND amount_cents <> 0)"
            " OR (kind = 'payout' AND amount_cents > 0)",
            name="amount_sign",
        ),
        Index("ix_ledger_entries_family_created", "family_id", "created_at"),
        Index("ix_ledger_entries_child_kind_created", "child_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    chore_id: Mapped[int | None] = mapped_column(ForeignKey("chores.id", ondelete="SET NULL"), index=True)
    chore_title: Mapped[str | None] = mapped_column(String(200))
    # Unique: a completion is paid at most once, whatever the application does.
    completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("chore_completions.id", ondelete="SET NULL"), unique=True
    )
    note: Mapped[str | None] = mapped_column(String(500))
    # Unique: a missed occurrence is charged its penalty at most once, whatever runs the time step.
    # No foreign key (SQLite adds one to an existing table only by rebuilding it); the chores
    # domain's chore_occurrences.penalty_entry_id points back here.
    occurrence_id: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)
    # The entry this one compensates (a parent's reversal: an adjustment of the opposite effect).
    # Unique: an entry is reversed at most once. No foreign key, as for occurrence_id.
    reverses_id: Mapped[int | None] = mapped_column(Integer, index=True, unique=True)

    child = relationship("User", foreign_keys=[child_id], lazy="raise")
    author = relationship("User", foreign_keys=[author_id], lazy="raise")


class RunningTotals(Base):
    """A child's running totals over the whole ledger: what the unbounded allowance summary and the
    balance read instead of adding up every entry. Written only by ledger.service, in the same
    transaction as each entry; `chores-tracker db verify-totals` recomputes them from the ledger.
    A child without entries may have no row (all zero)."""

    __tablename__ = "child_totals"

    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    earned_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    earned_count: Mapped[int] = mapped_column(Integer, server_default="0")
    adjustments_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")
    paid_out_cents: Mapped[int] = mapped_column(BigInteger, server_default="0")


# The marker ledger_markers holds while the running totals may miss entries (written by a release
# before 0031 during a rolling update): the reads add up the ledger instead until
# `chores-tracker db verify-totals --fix` has rewritten the totals and removed it.
TOTALS_UNVERIFIED = "child_totals_unverified"


class LedgerMarker(Base):
    """Named facts about the ledger as a whole (today only TOTALS_UNVERIFIED)."""

    __tablename__ = "ledger_markers"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, server_default=func.now())
