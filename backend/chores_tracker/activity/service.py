"""The activity feed: written by the other services inside their transactions, read here. No HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session, joinedload

from chores_tracker import clock
from chores_tracker.activity.models import ACTIVITY_DESCRIPTIONS, Activity, ActivityType
from chores_tracker.db.rows import insert_now
from chores_tracker.errors import NotFound
from chores_tracker.identity.models import User
from chores_tracker.notifications import service as notifications

MAX_PAGE = 100


def record(
    session: Session,
    *,
    family_id: int,
    actor: User,
    activity_type: ActivityType,
    description: str,
    target_user_id: int | None = None,
    chore_id: int | None = None,
    chore_title: str | None = None,
    amount_cents: int | None = None,
    note: str | None = None,
    ledger_entry_id: int | None = None,
    completion_id: int | None = None,
    by_the_time_step: bool = False,
) -> Activity:
    """Adds the feed row to the caller's transaction; the caller commits it with the change itself.
    The notifications the change is worth (notifications.events) go into the same transaction here,
    so no service can forget them and a change rolled back tells nobody. `by_the_time_step`: the
    change is the time step's (an allowance, a goal reached), written in the child's name; the
    notification has no actor, so the child is told too."""
    activity = Activity(
        family_id=family_id,
        user_id=actor.id,
        target_user_id=target_user_id,
        activity_type=activity_type.value,
        description=description[:500],
        created_at=clock.now(),
        chore_id=chore_id,
        chore_title=chore_title,
        amount_cents=amount_cents,
        note=note,
        ledger_entry_id=ledger_entry_id,
    )
    insert_now(session, activity)
    notifications.enqueue(
        session,
        family_id=family_id,
        event=activity_type.value,
        actor_id=None if by_the_time_step else actor.id,
        text=activity.description,
        child_id=target_user_id,
        chore_id=chore_id,
        completion_id=completion_id,
    )
    return activity


def visible_to(user: User) -> ColumnElement[bool]:
    """A parent sees the family's feed; a child sees what it did and what was done for it."""
    if user.family_id is None:
        return false()
    in_family = Activity.family_id == user.family_id
    if user.is_parent:
        return in_family
    return and_(in_family, or_(Activity.user_id == user.id, Activity.target_user_id == user.id))


@dataclass(frozen=True)
class Page:
    activities: list[Activity]
    total_count: int
    has_more: bool


def recent(session: Session, user: User, *, limit: int = 20, offset: int = 0, activity_type: str | None = None) -> Page:
    limit = max(1, min(limit, MAX_PAGE))
    condition = visible_to(user)
    if activity_type:
        condition = and_(condition, Activity.activity_type == activity_type)
    total = session.scalar(select(func.count()).select_from(Activity).where(condition)) or 0
    rows = list(
        session.scalars(
            select(Activity)
            .where(condition)
            .options(joinedload(Activity.user), joinedload(Activity.target_user))
            .order_by(Activity.created_at.desc(), Activity.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return Page(rows, total, offset + len(rows) < total)


def summary(session: Session, user: User, *, days_back: int = 7) -> dict[str, int]:
    since = clock.now() - timedelta(days=days_back)
    rows = session.execute(
        select(Activity.activity_type, func.count())
        .where(visible_to(user), Activity.created_at >= since)
        .group_by(Activity.activity_type)
    ).all()
    return dict(rows)


def types() -> dict[str, str]:
    return {member.value: ACTIVITY_DESCRIPTIONS[member.value] for member in ActivityType}


# How far apart a feed row and the notifications written with it may be stamped (`record` takes the
# clock twice, in the same transaction).
TOLD_WITHIN = timedelta(minutes=1)


def told_by(session: Session, family_id: int, told: Sequence[tuple[str, str, datetime]]) -> list[Activity | None]:
    """The feed rows that notifications were written from, for each (event, text, created_at) of the
    family's: the row of that type and sentence stamped nearest it (within TOLD_WITHIN), or None (a
    reminder, which has no row). A notification keeps the row's type, sentence and instant, not its id."""
    if not told:
        return []
    instants = [at for _event, _text, at in told]
    rows = session.scalars(
        select(Activity)
        .where(
            Activity.family_id == family_id,
            Activity.activity_type.in_({event for event, _text, _at in told}),
            Activity.description.in_({text for _event, text, _at in told}),
            Activity.created_at >= min(instants) - TOLD_WITHIN,
            Activity.created_at <= max(instants) + TOLD_WITHIN,
        )
        .options(joinedload(Activity.user), joinedload(Activity.target_user))
    ).all()
    found: list[Activity | None] = []
    for event, text, at in told:
        near = [
            (abs(row.created_at - at), row.id, row)
            for row in rows
            if row.activity_type == event and row.description == text and abs(row.created_at - at) <= TOLD_WITHIN
        ]
        found.append(min(near, key=lambda item: (item[0], item[1]))[2] if near else None)
    return found


def get(session: Session, user: User, activity_id: int) -> Activity:
    activity = session.scalar(
        select(Activity)
        .where(Activity.id == activity_id, visible_to(user))
        .options(joinedload(Activity.user), joinedload(Activity.target_user))
    )
    if activity is None:
        raise NotFound("activity not found")
    return activity
