"""Chores, their assignments (one standing slot per child, or one for the pool) and completions.

An assignment is the slot a child works through: available -> completed -> approved (or back
to available when rejected). Each completion is its own row in `chore_completions`, reviewed
once (approved or rejected) and never rewritten, so the history of a recurring chore survives
every cycle. The assignment carries only the current cycle, for fast lists and for the
conditional updates that make concurrent clicks safe.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from chores_tracker import clock
from chores_tracker.chores.schedule import ScheduleSpec
from chores_tracker.db.base import Base, TimestampMixin, UTCDateTime


class AssignmentMode(str, Enum):
    single = "single"
    multi_independent = "multi_independent"
    unassigned = "unassigned"


class AssignmentState(str, Enum):
    available = "available"
    completed = "completed"  # waiting for a parent's review
    approved = "approved"


class CompletionStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


# The stored strings, as queries and conditional updates compare them.
AVAILABLE = AssignmentState.available.value
COMPLETED = AssignmentState.completed.value
APPROVED = AssignmentState.approved.value
POOL = AssignmentMode.unassigned.value


class OccurrenceState(str, Enum):
    """One due date of a chore: upcoming -> due -> (overdue) -> done -> approved, or rejected (due
    again), skipped (by a parent), missed (not done in time: the penalty, if any, is charged once)."""

    upcoming = "upcoming"
    due = "due"
    overdue = "overdue"
    done = "done"  # waiting for a parent's review
    approved = "approved"
    rejected = "rejected"  # sent back: due again
    skipped = "skipped"
    missed = "missed"


# The states a child can still act on, a parent skip or snooze, and the time step move on.
OPEN_OCCURRENCE_STATES = (
    OccurrenceState.upcoming.value,
    OccurrenceState.due.value,
    OccurrenceState.overdue.value,
    OccurrenceState.rejected.value,
)


def _in(column: str, enum: type[Enum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in enum)})"


class ScheduleColumn(TypeDecorator[ScheduleSpec]):
    """A schedule stored as its JSON text (the same text the API takes), read back validated."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: ScheduleSpec | None, dialect: object) -> str | None:
        return None if value is None else value.model_dump_json(exclude_defaults=True)

    def process_result_value(self, value: str | None, dialect: object) -> ScheduleSpec | None:
        return None if value is None else ScheduleSpec.model_validate_json(value)


class Chore(TimestampMixin, Base):
    __tablename__ = "chores"
    __table_args__ = (CheckConstraint(_in("assignment_mode", AssignmentMode), name="assignment_mode"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    is_range_reward: Mapped[bool] = mapped_column(Boolean, server_default=false())
    min_reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    is_recurring: Mapped[bool] = mapped_column(Boolean, server_default=false())
    cooldown_days: Mapped[int | None] = mapped_column(Integer)
    assignment_mode: Mapped[str] = mapped_column(String(20))
    is_disabled: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Each completion is approved at once, at the fixed reward (lifecycle.complete_chore).
    auto_approve: Mapped[bool] = mapped_column(Boolean, server_default=false())
    # Deleting a chore that has history hides it instead: completions keep pointing at it,
    # and the ledger keeps its own copy of the title and amounts either way.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When it is due (chores.schedule). NULL on rows the previous release wrote: such a chore's
    # schedule is the one its is_recurring and cooldown_days mean (occurrences.schedule_of).
    schedule: Mapped[ScheduleSpec | None] = mapped_column(ScheduleColumn())
    # Occurrences are made from this instant on: set when the schedule is set or changed and when
    # the chore is resumed, so that days before it never fall due (nor are missed).
    schedule_start: Mapped[datetime | None] = mapped_column(UTCDateTime())

    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="chore", lazy="raise", order_by="Assignment.id", passive_deletes=True
    )

    @property
    def is_pool(self) -> bool:
        return self.assignment_mode == AssignmentMode.unassigned.value


class Assignment(Base):
    __tablename__ = "chore_assignments"
    __table_args__ = (
        # One slot per child and chore; the pool's slot has no assignee until a child claims it.
        UniqueConstraint("chore_id", "assignee_id", name="uq_chore_assignments_chore_assignee"),
        CheckConstraint(_in("state", AssignmentState), name="state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chore_id: Mapped[int] = mapped_column(ForeignKey("chores.id", ondelete="CASCADE"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    state: Mapped[str] = mapped_column(String(16), index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    approval_reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))
    # For an approved recurring chore: when it may be done again (approval + cooldown).
    available_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    chore: Mapped[Chore] = relationship(back_populates="assignments", lazy="raise")
    assignee = relationship("User", lazy="raise")


class Completion(Base):
    """One completion by one child, then its review. Rows are added, reviewed once, never rewritten."""

    __tablename__ = "chore_completions"
    __table_args__ = (
        CheckConstraint(_in("status", CompletionStatus), name="status"),
        Index("ix_chore_completions_family_status", "family_id", "status"),
        Index("ix_chore_completions_child_status", "child_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chore_id: Mapped[int] = mapped_column(ForeignKey("chores.id", ondelete="CASCADE"), index=True)
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("chore_assignments.id", ondelete="SET NULL"), index=True
    )
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16))
    completed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    reward_cents: Mapped[int | None] = mapped_column(BigInteger)
    rejection_reason: Mapped[str | None] = mapped_column(String(500))


class ChoreOccurrence(Base):
    """One due date of a chore for one lane: a child (a chore each assigned child does) or the
    chore itself (lane 0: a pool chore, or a rotation whose child is chosen per occurrence).

    The unique (chore, lane, due date) key makes an occurrence impossible to double, whoever makes it
    (a parent's edit, two time steps at once). Instants are UTC, computed in the family's zone when
    the row is made; the due date is the family's local date the schedule gave (a snooze moves the
    instants, never the date, so the key stays)."""

    __tablename__ = "chore_occurrences"
    __table_args__ = (
        UniqueConstraint("chore_id", "lane", "due_on", name="uq_chore_occurrences_chore_lane_due_on"),
        CheckConstraint(_in("state", OccurrenceState), name="state"),
        Index("ix_chore_occurrences_family_due_on", "family_id", "due_on"),
        Index("ix_chore_occurrences_state_due_from", "state", "due_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chore_id: Mapped[int] = mapped_column(ForeignKey("chores.id", ondelete="CASCADE"))
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"))
    lane: Mapped[int] = mapped_column(Integer)  # the child's id, or 0 for the chore's one lane
    child_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    due_on: Mapped[date] = mapped_column(Date)
    due_from: Mapped[datetime] = mapped_column(UTCDateTime())  # upcoming -> due
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    overdue_at: Mapped[datetime] = mapped_column(UTCDateTime())  # due_at + grace
    missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # None: stays overdue until done
    state: Mapped[str] = mapped_column(String(16))
    completion_id: Mapped[int | None] = mapped_column(
        ForeignKey("chore_completions.id", ondelete="SET NULL"), index=True
    )
    missed_penalty_cents: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    # The zone its instants were computed in (a family that changes zone gets them re-timed by the
    # time step), and how many days a parent has snoozed it.
    timezone: Mapped[str] = mapped_column(String(64), server_default=text("'UTC'"))
    snoozed_days: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    penalty_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_entries.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now, onupdate=clock.now)

    chore: Mapped[Chore] = relationship(lazy="raise")
    child = relationship("User", lazy="raise")


class ChildPause(Base):
    """A child away from first_day through last_day (family-local dates, both included): nothing
    falls due for it and no penalty is charged."""

    __tablename__ = "child_pauses"
    __table_args__ = (CheckConstraint("first_day <= last_day", name="days_in_order"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)


class CalendarFeed(Base):
    """A private calendar feed URL of a family's occurrences (child_id NULL) or of one child's.

    Only the token's SHA-256 is stored: the URL is shown once, when it is made. Revoked feeds keep
    their row (revoked_at) so that a revoked URL stays dead."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("families.id", ondelete="CASCADE"), index=True)
    child_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=clock.now)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
