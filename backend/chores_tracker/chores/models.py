"""Chores, their assignments (one standing slot per child, or one for the pool) and completions.

An assignment is the slot a child works through: available -> completed -> approved (or back
to available when rejected). Each completion is its own row in `chore_completions`, reviewed
once (approved or rejected) and never rewritten, so the history of a recurring chore survives
every cycle. The assignment carries only the current cycle, for fast lists and for the
conditional updates that make concurrent clicks safe.
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
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

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


def _in(column: str, enum: type[Enum]) -> str:
    return f"{column} IN ({', '.join(repr(member.value) for member in enum)})"


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
    # Deleting a chore that has history hides it instead: completions keep pointing at it,
    # and the ledger keeps its own copy of the title and amounts either way.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

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
