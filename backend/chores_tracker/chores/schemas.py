"""Chore inputs and the contract's Chore and Assignment shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field, field_validator

from chores_tracker.chores.models import Assignment, AssignmentMode, AssignmentState, Chore
from chores_tracker.chores.states import effective_state, is_claimed, next_available_at
from chores_tracker.http import Input, RowId
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import UserOut
from chores_tracker.money import Amount, MoneyNumber, from_cents

MAX_ASSIGNEES = 50
MAX_COOLDOWN_DAYS = 365


class ChoreFields(Input):
    """Every field a parent may set; which are required is a rule of chores.rules."""

    title: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    reward: Amount | None = None
    is_range_reward: bool | None = None
    min_reward: Amount | None = None
    max_reward: Amount | None = None
    assignment_mode: AssignmentMode | None = None
    assignee_ids: list[RowId] | None = Field(default=None, max_length=MAX_ASSIGNEES)
    is_recurring: bool | None = None
    cooldown_days: int | None = Field(default=None, ge=0, le=MAX_COOLDOWN_DAYS)

    @field_validator("title", "description")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if isinstance(value, str) else value


class ChoreCreate(ChoreFields):
    title: str = Field(max_length=200)
    is_range_reward: bool = False
    assignment_mode: AssignmentMode = AssignmentMode.single
    assignee_ids: list[RowId] = Field(default_factory=list, max_length=MAX_ASSIGNEES)
    is_recurring: bool = False


class ChoreUpdate(ChoreFields):
    """Any subset of the create fields; only the fields sent change."""


class ApproveIn(Input):
    reward_value: Amount | None = Field(default=None, description="required for a range chore, within its range")


class RejectIn(Input):
    rejection_reason: str = Field(min_length=1, max_length=500)

    @field_validator("rejection_reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("say why, so the child knows what to do better")
        return value


class AssignmentOut(BaseModel):
    id: int
    chore_id: int
    assignee_id: int | None
    assignee_name: str | None = None
    is_completed: bool
    is_approved: bool
    completion_date: datetime | None = None
    approval_date: datetime | None = None
    approval_reward: MoneyNumber | None = None
    rejection_reason: str | None = None
    next_available_at: datetime | None = Field(
        default=None, description="for an approved recurring chore in its cooldown: when it may be done again"
    )


class ChoreOut(BaseModel):
    id: int
    title: str
    description: str | None
    reward: MoneyNumber | None
    is_range_reward: bool
    min_reward: MoneyNumber | None
    max_reward: MoneyNumber | None
    cooldown_days: int | None
    is_recurring: bool
    assignment_mode: str
    assignee_ids: list[int]
    assignments: list[AssignmentOut]
    creator_id: int | None
    is_disabled: bool
    created_at: datetime
    updated_at: datetime
    next_available_at: datetime | None = Field(
        default=None,
        description=(
            "a child: when it may do this chore again; a parent: the earliest moment an assignment "
            "now cooling down becomes available again. Null when nothing is cooling down."
        ),
    )


class AvailableItemOut(BaseModel):
    chore: ChoreOut
    assignment: AssignmentOut | None
    assignment_id: int | None


class AvailableOut(BaseModel):
    assigned: list[AvailableItemOut]
    pool: list[AvailableItemOut]
    total_count: int


class AssigneeOut(BaseModel):
    id: int
    username: str


class PendingApprovalOut(BaseModel):
    assignment: AssignmentOut
    assignment_id: int
    chore: ChoreOut
    assignee: AssigneeOut
    assignee_name: str


class CompleteOut(BaseModel):
    chore: ChoreOut
    assignment: AssignmentOut
    message: str


class ReviewOut(BaseModel):
    assignment: AssignmentOut
    chore: ChoreOut
    message: str


class ChildChoreOut(BaseModel):
    id: int = Field(description="the assignment's id")
    chore_id: int
    chore_title: str
    reward: MoneyNumber | None
    is_completed: bool
    is_approved: bool


class ChildWithChoresOut(UserOut):
    chores: list[ChildChoreOut]


def present_assignment(slot: Assignment, now: datetime) -> AssignmentOut:
    state = effective_state(slot, now)
    done = state != AssignmentState.available.value
    approved = state == AssignmentState.approved.value
    return AssignmentOut(
        id=slot.id,
        chore_id=slot.chore_id,
        assignee_id=slot.assignee_id,
        assignee_name=slot.assignee.username if slot.assignee is not None else None,
        is_completed=done,
        is_approved=approved,
        completion_date=slot.completed_at if done else None,
        approval_date=slot.approved_at if approved else None,
        approval_reward=from_cents(slot.approval_reward_cents) if approved else None,
        rejection_reason=slot.rejection_reason if not done else None,
        next_available_at=next_available_at(slot, now),
    )


def shown_assignments(chore: Chore, viewer: User, now: datetime) -> list[Assignment]:
    """A parent sees every assignment; a child only its own. A free pool slot is no one's yet."""
    slots = [slot for slot in chore.assignments if not chore.is_pool or is_claimed(slot, now)]
    if not viewer.is_parent:
        slots = [slot for slot in slots if slot.assignee_id == viewer.id]
    return slots


def present_chore(chore: Chore, viewer: User, now: datetime) -> ChoreOut:
    shown = shown_assignments(chore, viewer, now)
    if viewer.is_parent:
        cooling = [moment for slot in chore.assignments if (moment := next_available_at(slot, now))]
    else:
        mine = [slot for slot in chore.assignments if slot.assignee_id == viewer.id or chore.is_pool]
        cooling = [moment for slot in mine if (moment := next_available_at(slot, now))]
    return ChoreOut(
        id=chore.id,
        title=chore.title,
        description=chore.description,
        reward=from_cents(chore.reward_cents),
        is_range_reward=chore.is_range_reward,
        min_reward=from_cents(chore.min_reward_cents),
        max_reward=from_cents(chore.max_reward_cents),
        cooldown_days=chore.cooldown_days,
        is_recurring=chore.is_recurring,
        assignment_mode=chore.assignment_mode,
        assignee_ids=[] if chore.is_pool else [slot.assignee_id for slot in chore.assignments if slot.assignee_id],
        assignments=[present_assignment(slot, now) for slot in shown],
        creator_id=chore.creator_id,
        is_disabled=chore.is_disabled,
        created_at=chore.created_at,
        updated_at=chore.updated_at,
        next_available_at=min(cooling) if cooling else None,
    )
