"""Rewards: a family's catalogue, the children's claims on it, savings goals, allowances.

A claim reserves its cost at once (pending); approving it writes the one ledger debit (an
adjustment of minus the cost, named by reward_claims.ledger_entry_id, unique); declining or
cancelling it releases the reservation. An allowance is credited by the time step once per period:
allowance_runs is unique per child and period key.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column

from chores_tracker import clock
from chores_tracker.db.base import Base, UTCDateTime


class LimitPeriod(str, Enum):
    week = "week"
    month = "month"


class ClaimStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    declined = "declined"
    cancelled = "cancelled"


class Reward(Base):
    __tablename__ = "rewards"
    __table_args__ = (
        CheckConstraint("cost_cents > 0", name="cost_positive"),
        CheckConstraint("stock IS NULL OR stock >= 0", name="stock_not_negative"),
        CheckConstraint("limit_count IS NULL OR limit_count > 0", name="limit_positive"),
        CheckConstraint("limit_period IS NULL OR limit_period IN ('week', 'month')", name="limit_period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    # None: unlimited. Decremented by each claim (a conditional UPDATE ... WHERE stock > 0), given
    # back when a claim is declined or cancelled.
    stock: Mapped[int | None] = mapped_column(Integer)
    # At most limit_count claims (pending or approved) per child per limit_period, in the family's zone.
    limit_count: Mapped[int | None] = mapped_column(Integer)
    limit_period: Mapped[str | None] = mapped_column(String(8))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)


class RewardClaim(Base):
    __tablename__ = "reward_claims"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'approved', 'declined', 'cancelled')", name="status"),
        CheckConstraint("cost_cents > 0", name="cost_positive"),
        Index("ix_reward_claims_child_status", "child_id", "status"),
        Index("ix_reward_claims_family_status_created", "family_id", "status", "created_at"),
        Index("ix_reward_claims_reward_child_created", "reward_id", "child_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    reward_id: Mapped[int] = mapped_column(ForeignKey("rewards.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # Copies: the claim reads the same after the reward is edited.
    reward_title: Mapped[str] = mapped_column(String(200))
    cost_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(16), default=ClaimStatus.pending.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    decline_reason: Mapped[str | None] = mapped_column(String(500))
    # The approval's debit. Unique: a claim is paid for at most once.
    ledger_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="SET NULL"), unique=True
    )


class SavingsGoal(Base):
    __tablename__ = "savings_goals"
    __table_args__ = (
        CheckConstraint("target_cents > 0", name="target_positive"),
        Index("ix_savings_goals_child_created", "child_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    target_cents: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # Set once (UPDATE ... WHERE reached_at IS NULL), with the goal_reached feed row.
    reached_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Allowance(Base):
    __tablename__ = "allowances"
    __table_args__ = (
        CheckConstraint("amount_cents > 0", name="amount_positive"),
        CheckConstraint("period IN ('week', 'month')", name="period"),
        CheckConstraint("weekday IS NULL OR (weekday >= 0 AND weekday <= 6)", name="weekday"),
        CheckConstraint("day_of_month IS NULL OR (day_of_month >= 1 AND day_of_month <= 31)", name="day_of_month"),
        CheckConstraint("minute_of_day >= 0 AND minute_of_day < 1440", name="minute_of_day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    # One allowance per child: setting it again replaces it.
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    period: Mapped[str] = mapped_column(String(8))
    weekday: Mapped[int | None] = mapped_column(Integer)  # week: 0 Monday .. 6 Sunday
    day_of_month: Mapped[int | None] = mapped_column(Integer)  # month: 1..31 (31: the month's last day)
    minute_of_day: Mapped[int] = mapped_column(Integer)  # the family-local time, in minutes after midnight
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Paydays from this instant on are credited (missed ones too); set when made or changed.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class AllowanceRun(Base):
    __tablename__ = "allowance_runs"
    __table_args__ = (UniqueConstraint("child_id", "period_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    allowance_id: Mapped[int | None] = mapped_column(ForeignKey("allowances.id", ondelete="SET NULL"), index=True)
    # "week:2026-W49" (ISO week) or "month:2026-12": the period of the payday, in the family's zone.
    period_key: Mapped[str] = mapped_column(String(24))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    ledger_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="SET NULL"), unique=True
    )
