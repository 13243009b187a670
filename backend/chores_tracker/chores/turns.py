"""Whose turn a rotation chore is now. No HTTP.

A rotation (a chore several children share, `schedule.rotation` other than none) has one lane of
occurrences, each naming the child it went to. The turn is the child of its earliest open
occurrence (upcoming, due, overdue or rejected) that is not yet past its `missed_at` (one the time
step has not yet marked missed is no longer anyone's turn). Only that child is shown the chore as
something to do and may complete it; it may do it early, before it is due, as any child may.

- `is_rotation(chore)` -> bool.
- `current_turns(session, chore_ids, now)` -> {chore_id: child_id}: one statement for many chores;
  a chore with no open turn (every child paused, nothing made yet) is absent.
- `turns_change_at(session, chore_ids, now)` -> the first moment a turn passes by itself (an open
  occurrence's `missed_at`), with no write: an answer listing turns is the same until then.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from chores_tracker.chores.models import OPEN_OCCURRENCE_STATES, POOL, Chore, ChoreOccurrence
from chores_tracker.chores.schedule import Rotation
from chores_tracker.chores.states import schedule_of


def is_rotation(chore: Chore) -> bool:
    return chore.assignment_mode != POOL and schedule_of(chore).rotation != Rotation.none


def current_turns(session: Session, chore_ids: Iterable[int], now: datetime) -> dict[int, int]:
    ids = sorted(set(chore_ids))
    if not ids:
        return {}
    rows = session.execute(
        select(ChoreOccurrence.chore_id, ChoreOccurrence.child_id)
        .where(
            ChoreOccurrence.chore_id.in_(ids),
            ChoreOccurrence.lane == 0,
            ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES),
            ChoreOccurrence.child_id.is_not(None),
            or_(ChoreOccurrence.missed_at.is_(None), ChoreOccurrence.missed_at > now),
        )
        .order_by(ChoreOccurrence.chore_id, ChoreOccurrence.due_on.desc())
    ).all()
    # Ordered latest first within each chore: the last one written for a chore is its earliest.
    return {row.chore_id: row.child_id for row in rows}


def turns_change_at(session: Session, chore_ids: Iterable[int], now: datetime) -> datetime | None:
    ids = sorted(set(chore_ids))
    if not ids:
        return None
    moment: datetime | None = session.scalar(
        select(func.min(ChoreOccurrence.missed_at)).where(
            ChoreOccurrence.chore_id.in_(ids),
            ChoreOccurrence.lane == 0,
            ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES),
            ChoreOccurrence.missed_at > now,
        )
    )
    return moment
