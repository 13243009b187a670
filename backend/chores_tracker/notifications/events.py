"""Which changes are worth telling, and to whom. Pure rules: no database, no HTTP."""

from __future__ import annotations

from enum import Enum


class Audience(str, Enum):
    parents = "parents"  # the family's active parents
    child = "child"  # the child the change is about
    both = "both"


# Keyed by the activity type's value (activity sits above this domain, so its enum is not imported),
# and the time step's reminders (chore_due_soon, chore_overdue), which have no feed row.
AUDIENCES: dict[str, Audience] = {
    "chore_completed": Audience.parents,  # a chore done and waiting for review
    "chore_approved": Audience.child,
    "chore_rejected": Audience.child,  # sent back, with the reason
    "chore_due_soon": Audience.child,  # a reminder: the occurrence became due (its lead time)
    "chore_overdue": Audience.both,  # a reminder: past its due time and grace
    "chore_missed": Audience.both,  # missed, with its penalty
    "adjustment_applied": Audience.child,  # a bonus or a penalty
    "payout_recorded": Audience.child,
    "reward_claimed": Audience.parents,  # a claim waits for review
    "reward_approved": Audience.child,
    "reward_declined": Audience.child,  # with the reason
    "goal_reached": Audience.both,
    "allowance_credited": Audience.child,
}

EVENT_LABELS: dict[str, str] = {
    "chore_completed": "A chore is done and waits for review",
    "chore_approved": "A chore was approved",
    "chore_rejected": "A chore was sent back",
    "chore_due_soon": "A chore is due soon",
    "chore_overdue": "A chore is overdue",
    "chore_missed": "A chore was missed",
    "adjustment_applied": "A bonus or a penalty",
    "payout_recorded": "A payout",
    "reward_claimed": "A reward was claimed and waits for review",
    "reward_approved": "A reward was approved",
    "reward_declined": "A reward was declined",
    "goal_reached": "A savings goal was reached",
    "allowance_credited": "The allowance was credited",
}


def audience(event: str) -> Audience | None:
    return AUDIENCES.get(event)
