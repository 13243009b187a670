"""Each child's figures for Home Assistant (notifications.mqtt): balance, completions waiting for
review, occurrences overdue. Three grouped queries per batch of children, whatever their number. No HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.chores import queries as chores
from chores_tracker.chores.models import Chore, ChoreOccurrence, OccurrenceState
from chores_tracker.identity.models import User
from chores_tracker.notifications.mqtt import ChildState

BATCH = 500  # children per round of queries (an IN list every database takes)


def overdue_counts(session: Session, child_ids: list[int], now: datetime) -> dict[int, int]:
    """Each child's own occurrences overdue now, whether or not the time step has marked them
    (chores.occurrences.state_now: due, sent back or upcoming, past their overdue instant), of
    chores neither deleted nor disabled."""
    if not child_ids:
        return {}
    open_before_overdue = (
        OccurrenceState.upcoming.value,
        OccurrenceState.due.value,
        OccurrenceState.rejected.value,
    )
    overdue = or_(
        ChoreOccurrence.state == OccurrenceState.overdue.value,
        and_(ChoreOccurrence.state.in_(open_before_overdue), ChoreOccurrence.overdue_at <= now),
    )
    rows = session.execute(
        select(ChoreOccurrence.child_id, func.count())
        .join(Chore, Chore.id == ChoreOccurrence.chore_id)
        .where(
            ChoreOccurrence.child_id.in_(child_ids),
            overdue,
            Chore.deleted_at.is_(None),
            Chore.is_disabled.is_(False),
        )
        .group_by(ChoreOccurrence.child_id)
    )
    return {int(child_id): int(count) for child_id, count in rows if child_id is not None}


def children_sensors(session: Session, family_ids: Iterable[int] | None) -> list[ChildState]:
    """The active children of these families (None: of every family), with their figures."""
    query = select(User.id, User.family_id, User.username, User.display_name).where(
        User.family_id.is_not(None), User.is_parent.is_(False), User.is_active.is_(True)
    )
    if family_ids is not None:
        wanted = sorted(set(family_ids))
        if not wanted:
            return []
        query = query.where(User.family_id.in_(wanted))
    children = session.execute(query.order_by(User.family_id, User.id)).all()
    now = clock.now()
    states: list[ChildState] = []
    for start in range(0, len(children), BATCH):
        batch = children[start : start + BATCH]
        ids = [row.id for row in batch]
        totals = chores.totals_for_children(session, ids)
        overdue = overdue_counts(session, ids, now)
        for row in batch:
            figures = totals.of(row.id)
            states.append(
                ChildState(
                    family_id=int(row.family_id),
                    child_id=int(row.id),
                    name=row.display_name or row.username,
                    balance_cents=figures.balance_cents,
                    pending=figures.pending_count,
                    overdue=overdue.get(row.id, 0),
                )
            )
    return states
