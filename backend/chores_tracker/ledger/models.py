"""The money ledger: one immutable row per chore earning, adjustment (bonus or penalty) and payout.

Balances and reports are sums over it. Rows are never updated or deleted by the application;
an earning keeps a copy of the chore's title, so editing or deleting the chore later changes
nothing a child has earned.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String
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
