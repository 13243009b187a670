"""The activity feed: one row per state change, written in the same transaction as the change."""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from chores_tracker import clock
from chores_tracker.db.base import Base, UTCDateTime


class ActivityType(str, Enum):
    chore_created = "chore_created"
    chore_updated = "chore_updated"
    chore_deleted = "chore_deleted"
    chore_disabled = "chore_disabled"
    chore_enabled = "chore_enabled"
    chore_completed = "chore_completed"
    chore_approved = "chore_approved"
    chore_rejected = "chore_rejected"
    chore_missed = "chore_missed"
    adjustment_applied = "adjustment_applied"
    payout_recorded = "payout_recorded"
    parent_joined = "parent_joined"
    child_added = "child_added"
    member_removed = "member_removed"
    ownership_transferred = "ownership_transferred"
    invite_code_created = "invite_code_created"
    timezone_changed = "timezone_changed"
    currency_changed = "currency_changed"
    profile_changed = "profile_changed"
    child_deactivated = "child_deactivated"
    child_reactivated = "child_reactivated"
    chore_taken_back = "chore_taken_back"
    chore_auto_approved = "chore_auto_approved"
    entry_reversed = "entry_reversed"
    reward_claimed = "reward_claimed"
    reward_approved = "reward_approved"
    reward_declined = "reward_declined"
    reward_cancelled = "reward_cancelled"
    goal_reached = "goal_reached"
    allowance_credited = "allowance_credited"


ACTIVITY_DESCRIPTIONS: dict[str, str] = {
    ActivityType.chore_created.value: "A parent created a chore",
    ActivityType.chore_updated.value: "A parent changed a chore",
    ActivityType.chore_deleted.value: "A parent deleted a chore",
    ActivityType.chore_disabled.value: "A parent paused a chore",
    ActivityType.chore_enabled.value: "A parent resumed a chore",
    ActivityType.chore_completed.value: "A child marked a chore as done",
    ActivityType.chore_approved.value: "A parent approved a completed chore and the reward was earned",
    ActivityType.chore_rejected.value: "A parent sent a completed chore back, with a reason",
    ActivityType.chore_missed.value: "A child missed a chore it was due to do (and any missed penalty was charged)",
    ActivityType.adjustment_applied.value: "A parent gave a bonus or a penalty",
    ActivityType.payout_recorded.value: "A parent handed money to a child",
    ActivityType.parent_joined.value: "A parent joined the family with an invite code",
    ActivityType.child_added.value: "A parent added a child to the family",
    ActivityType.member_removed.value: "A parent removed a parent or a child from the family",
    ActivityType.ownership_transferred.value: "The family's owner handed ownership to another parent",
    ActivityType.invite_code_created.value: "A parent made a new invite code (the code itself is not in the feed)",
    ActivityType.timezone_changed.value: "A parent changed the family's time zone",
    ActivityType.currency_changed.value: "The family's owner changed the family's currency",
    ActivityType.profile_changed.value: "Someone's display name or avatar changed (a parent's own, or a child's by a parent)",
    ActivityType.child_deactivated.value: "A parent deactivated a child: history kept, it can no longer sign in",
    ActivityType.child_reactivated.value: "A parent let a deactivated child sign in again",
    ActivityType.chore_taken_back.value: "A child took back a 'done' that was waiting for review",
    ActivityType.chore_auto_approved.value: "A chore set to approve itself was done, and its reward earned",
    ActivityType.entry_reversed.value: "A parent reversed an approval, a bonus, a penalty or a payout (a compensating entry)",
    ActivityType.reward_claimed.value: "A child claimed a reward: its cost is reserved until a parent decides",
    ActivityType.reward_approved.value: "A parent approved a reward claim and its cost was debited",
    ActivityType.reward_declined.value: "A parent declined a reward claim, with a reason: the reservation is released",
    ActivityType.reward_cancelled.value: "A child cancelled its reward claim: the reservation is released",
    ActivityType.goal_reached.value: "A child's balance reached one of its savings goals",
    ActivityType.allowance_credited.value: "The weekly or monthly allowance was credited",
}


class Activity(Base):
    __tablename__ = "activities"
    __table_args__ = (
        Index("ix_activities_family_created", "family_id", "created_at"),
        Index("ix_activities_family_type", "family_id", "activity_type"),
        Index("ix_activities_user_created", "user_id", "created_at"),
        Index("ix_activities_target_created", "target_user_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    activity_type: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    # What the change was about; copies, so the feed reads the same after the chore is edited.
    chore_id: Mapped[int | None] = mapped_column(ForeignKey("chores.id", ondelete="SET NULL"), index=True)
    chore_title: Mapped[str | None] = mapped_column(String(200))
    amount_cents: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(String(500))
    ledger_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="SET NULL"), index=True
    )

    user = relationship("User", foreign_keys=[user_id], lazy="raise")
    target_user = relationship("User", foreign_keys=[target_user_id], lazy="raise")
    # Lets a change and its feed row be added together; the flush orders the inserts.
    ledger_entry = relationship("LedgerEntry", lazy="raise")
