"""What state an assignment is in at a moment, and the states a chore list can be filtered by. No HTTP.

The cooldown rule: the stored assignment carries its current cycle; a recurring chore whose
cooldown has passed reads as available again without anything having to rewrite it.
"""

from __future__ import annotations

from datetime import datetime
from enum import Enum

from chores_tracker.chores.models import Assignment, AssignmentState, Chore
from chores_tracker.chores.schedule import MAX_INTERVAL_DAYS, ScheduleKind, ScheduleSpec


# The filters of a chore list, by the viewer's assignments (a parent's: any); GET /chores says what each means.
class ChoreStatus(str, Enum):
    available = "available"
    active = "active"
    completed = "completed"
    pending_approval = "pending_approval"
    approved = "approved"


def effective_state(slot: Assignment, now: datetime) -> AssignmentState:
    if slot.state == AssignmentState.approved and slot.available_at is not None and slot.available_at <= now:
        return AssignmentState.available
    return AssignmentState(slot.state)


def is_claimed(slot: Assignment, now: datetime) -> bool:
    """Whether a slot belongs to someone in its current cycle (a pool slot is free otherwise)."""
    return slot.assignee_id is not None and effective_state(slot, now) != AssignmentState.available


def next_available_at(slot: Assignment, now: datetime) -> datetime | None:
    if slot.state == AssignmentState.approved and slot.available_at is not None and slot.available_at > now:
        return slot.available_at
    return None


def schedule_of(chore: Chore) -> ScheduleSpec:
    """The chore's schedule. A chore the previous release wrote has none stored: its is_recurring and
    cooldown_days mean "N days after it is done" (recurring) or "once" (a one-off)."""
    if chore.schedule is not None:
        return chore.schedule
    return legacy_schedule(chore.is_recurring, chore.cooldown_days)


def legacy_schedule(is_recurring: bool, cooldown_days: int | None) -> ScheduleSpec:
    if is_recurring:
        interval = min(max(cooldown_days or 0, 0), MAX_INTERVAL_DAYS)
        return ScheduleSpec(kind=ScheduleKind.after_completion, interval=interval)
    return ScheduleSpec(kind=ScheduleKind.once)


def legacy_fields(schedule: ScheduleSpec) -> tuple[bool, int | None]:
    """The contract's is_recurring and cooldown_days for a schedule, as a client that never sends one
    reads them: a one-off; recurring after N days; or recurring on a calendar (no cooldown)."""
    if schedule.kind == ScheduleKind.once:
        return False, None
    if schedule.kind == ScheduleKind.after_completion:
        return True, schedule.interval
    return True, None
