"""A child's pauses: away from a first day through a last day (family-local dates, both included).
Nothing falls due for the child then and no penalty is charged. No HTTP.

- `add_pause(session, parent, child_id, first_day, last_day)` -> ChildPause: the child's open
  occurrences in those days are skipped (a rotation's go to the next child present, or are skipped
  when nobody is); occurrences made later for those days are made skipped.
- `list_pauses(session, parent, child_id)` -> [ChildPause], by first day.
- `delete_pause(session, parent, child_id, pause_id)`: the days to come are due again from the next
  occurrences made; those already skipped stay skipped.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.chores import occurrences
from chores_tracker.chores.models import OPEN_OCCURRENCE_STATES, ChildPause, Chore, ChoreOccurrence
from chores_tracker.chores.schedule import Rotation
from chores_tracker.chores.states import schedule_of
from chores_tracker.errors import InvalidInput, NotFound
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User

MAX_PAUSE_DAYS = 366


def add_pause(session: Session, parent: User, child_id: int, first_day: date, last_day: date) -> ChildPause:
    child = identity.child_of_family(session, parent, child_id)
    if last_day < first_day:
        raise InvalidInput("last_day must not be before first_day", field="last_day")
    if (last_day - first_day).days >= MAX_PAUSE_DAYS:
        raise InvalidInput(f"a pause lasts at most {MAX_PAUSE_DAYS} days", field="last_day")
    pause = ChildPause(
        family_id=child.family_id,
        child_id=child.id,
        first_day=first_day,
        last_day=last_day,
        created_by=parent.id,
        created_at=clock.now(),
    )
    session.add(pause)
    session.flush()
    _apply(session, child, first_day, last_day)
    session.commit()
    return pause


def _apply(session: Session, child: User, first_day: date, last_day: date) -> None:
    rows = list(
        session.scalars(
            select(ChoreOccurrence)
            .where(
                ChoreOccurrence.child_id == child.id,
                ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES),
                ChoreOccurrence.due_on >= first_day,
                ChoreOccurrence.due_on <= last_day,
            )
            .order_by(ChoreOccurrence.chore_id, ChoreOccurrence.id)
            .with_for_update()
        )
    )
    now = clock.now()
    for row in rows:
        chore = session.get(Chore, row.chore_id)
        spec = schedule_of(chore) if chore is not None else None
        row.updated_at = now
        if chore is not None and spec is not None and spec.rotation != Rotation.none and row.lane == 0:
            # The turn goes to another child present that day, chosen as the rotation chooses.
            stand_in = occurrences.stand_in(session, chore, spec, row.due_on, row.child_id)
            if stand_in is not None:
                row.child_id = stand_in
                continue
        row.state = occurrences.SKIPPED


def _pause_of(session: Session, parent: User, child_id: int, pause_id: int) -> ChildPause:
    child = identity.child_of_family(session, parent, child_id)
    pause = session.scalar(select(ChildPause).where(ChildPause.id == pause_id, ChildPause.child_id == child.id))
    if pause is None:
        raise NotFound("pause not found")
    return pause


def list_pauses(session: Session, parent: User, child_id: int) -> list[ChildPause]:
    child = identity.child_of_family(session, parent, child_id)
    return list(
        session.scalars(
            select(ChildPause).where(ChildPause.child_id == child.id).order_by(ChildPause.first_day, ChildPause.id)
        )
    )


def delete_pause(session: Session, parent: User, child_id: int, pause_id: int) -> None:
    session.delete(_pause_of(session, parent, child_id, pause_id))
    session.commit()
