"""Notifications: written by activity.record inside the change's transaction, read and marked here. No HTTP."""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import ColumnElement, Insert, Integer, String, Table, and_, bindparam, func, insert, or_, select, update
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.db.base import UTCDateTime
from chores_tracker.db.engine import rows_changed
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.identity.models import User
from chores_tracker.notifications import webhooks
from chores_tracker.notifications.events import Audience, audience
from chores_tracker.notifications.models import (
    DeliveryState,
    Notification,
    NotificationChannel,
    NotificationDelivery,
    NotificationPreferences,
)

MAX_PAGE = 100


# Built once, in each of their shapes (who is told, and whether anyone acted): composing the
# INSERT ... SELECT on every change cost more client CPU than running it. A Core statement, of the
# tables' own columns: the ORM annotates a statement of mapped attributes anew at every execution
# and computes its cache key again (chores.lifecycle).
_USERS = cast(Table, User.__table__)
_NOTIFICATIONS = cast(Table, Notification.__table__)
_RECIPIENT_COLUMNS = [
    "family_id",
    "recipient_id",
    "event",
    "actor_id",
    "child_id",
    "chore_id",
    "text",
    "completion_id",
    "created_at",
]


def _recipients_insert(parents: bool, child: bool, actor: bool) -> Insert:
    family_id = bindparam("n_family_id", type_=Integer())
    actor_id = bindparam("n_actor_id", type_=Integer())
    child_id = bindparam("n_child_id", type_=Integer())
    users = _USERS.c
    wanted: list[ColumnElement[bool]] = []
    if parents:
        wanted.append(users.is_parent.is_(True))
    if child:
        wanted.append(users.id == child_id)
    # Nobody is told of what they did; without an actor (the time step's), nobody is left out.
    not_the_actor = [users.id != actor_id] if actor else []
    recipients = select(
        family_id.label("family_id"),
        users.id,
        bindparam("n_event", type_=String()).label("event"),
        actor_id.label("actor_id"),
        child_id.label("child_id"),
        bindparam("n_chore_id", type_=Integer()).label("chore_id"),
        bindparam("n_text", type_=String()).label("text"),
        bindparam("n_completion_id", type_=Integer()).label("completion_id"),
        bindparam("n_created_at", type_=UTCDateTime()).label("created_at"),
    ).where(users.family_id == family_id, users.is_active, *not_the_actor, or_(*wanted))
    return insert(_NOTIFICATIONS).from_select(_RECIPIENT_COLUMNS, recipients)


_ENQUEUE: dict[tuple[bool, bool, bool], Insert] = {
    (parents, child, actor): _recipients_insert(parents, child, actor)
    for parents in (False, True)
    for child in (False, True)
    for actor in (False, True)
    if parents or child
}


def enqueue(
    session: Session,
    *,
    family_id: int,
    event: str,
    actor_id: int | None,
    text: str,
    child_id: int | None = None,
    chore_id: int | None = None,
    completion_id: int | None = None,
) -> None:
    """One row per recipient, in the caller's transaction, in one INSERT ... SELECT over the family's
    users (the statement count does not grow with the family). Nobody is told of what they did; the
    time step's reminders have no actor (None)."""
    who = audience(event)
    if who is None:
        return
    webhooks.enqueue_events(
        session,
        family_id=family_id,
        event=event,
        data={
            "text": text,
            "actor_id": actor_id,
            "child_id": child_id,
            "chore_id": chore_id,
            "completion_id": completion_id,
        },
    )
    parents = who in (Audience.parents, Audience.both)
    child = who in (Audience.child, Audience.both) and child_id is not None
    if not (parents or child):
        return
    session.execute(
        _ENQUEUE[parents, child, actor_id is not None],
        {
            "n_family_id": family_id,
            "n_event": event,
            "n_actor_id": actor_id,
            "n_child_id": child_id,
            "n_chore_id": chore_id,
            "n_text": text[:500],
            "n_completion_id": completion_id,
            "n_created_at": clock.now(),
        },
    )


def _mine(user: User) -> ColumnElement[bool]:
    # A member who left (or was removed) keeps nothing of the family's notifications.
    return and_(Notification.recipient_id == user.id, Notification.family_id == user.family_id)


@dataclass(frozen=True)
class Page:
    notifications: list[Notification]
    total_count: int
    unread_count: int
    has_more: bool


def unread_count(session: Session, user: User) -> int:
    if user.family_id is None:
        return 0
    return session.scalar(select(func.count()).where(_mine(user), Notification.read_at.is_(None))) or 0


def recent(session: Session, user: User, *, limit: int = 20, offset: int = 0, unread_only: bool = False) -> Page:
    if user.family_id is None:
        return Page([], 0, 0, False)
    limit = max(1, min(limit, MAX_PAGE))
    condition = _mine(user)
    if unread_only:
        condition = and_(condition, Notification.read_at.is_(None))
    total, read = session.execute(select(func.count(), func.count(Notification.read_at)).where(condition)).one()
    unread = (total or 0) - (read or 0)
    rows = list(
        session.scalars(
            select(Notification)
            .where(condition)
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .offset(offset)
            .limit(limit)
        )
    )
    return Page(rows, total or 0, unread, offset + len(rows) < (total or 0))


def mark_read(session: Session, user: User, notification_id: int) -> Notification:
    """Marks one read (again is fine: the first time stays)."""
    found = session.scalar(select(Notification).where(Notification.id == notification_id, _mine(user)))
    if found is None:
        raise NotFound("notification not found")
    if found.read_at is None:
        session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.read_at.is_(None))
            .values(read_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        session.commit()
        session.refresh(found)
    return found


def mark_all_read(session: Session, user: User) -> int:
    if user.family_id is None:
        return 0
    marked = session.execute(
        update(Notification)
        .where(_mine(user), Notification.read_at.is_(None))
        .values(read_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return rows_changed(marked)


@dataclass(frozen=True)
class DeliveryRow:
    delivery: NotificationDelivery
    notification: Notification
    channel_name: str


def deliveries(session: Session, parent: User, *, state: str = "dead", limit: int = 50) -> list[DeliveryRow]:
    """The family's deliveries in one state (by default the dead letters), newest first: a parent's view."""
    rows = session.execute(
        select(NotificationDelivery, Notification, NotificationChannel.name)
        .join(Notification, Notification.id == NotificationDelivery.notification_id)
        .join(NotificationChannel, NotificationChannel.id == NotificationDelivery.channel_id)
        .where(NotificationDelivery.family_id == parent.family_id, NotificationDelivery.state == state)
        .order_by(NotificationDelivery.id.desc())
        .limit(max(1, min(limit, MAX_PAGE)))
    ).all()
    return [DeliveryRow(delivery, notification, name) for delivery, notification, name in rows]


def retry(session: Session, parent: User, delivery_id: int) -> None:
    """A dead letter tried again from the start (after the channel was mended)."""
    found = session.scalar(
        select(NotificationDelivery.id).where(
            NotificationDelivery.id == delivery_id, NotificationDelivery.family_id == parent.family_id
        )
    )
    if found is None:
        raise NotFound("delivery not found")
    moved = session.execute(
        update(NotificationDelivery)
        .where(NotificationDelivery.id == delivery_id, NotificationDelivery.state == DeliveryState.dead.value)
        .values(state=DeliveryState.pending.value, attempts=0, next_attempt_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(moved) != 1:
        session.rollback()
        raise Conflict("only a dead letter can be tried again")
    session.commit()


def preferences(session: Session, user: User) -> NotificationPreferences:
    found = session.scalar(select(NotificationPreferences).where(NotificationPreferences.user_id == user.id))
    return found if found is not None else NotificationPreferences(user_id=user.id)


def set_quiet_hours(session: Session, user: User, start: str | None, end: str | None) -> NotificationPreferences:
    if (start is None) != (end is None):
        raise InvalidInput(
            "give both ends of the quiet hours, or neither", field="quiet_end" if end is None else "quiet_start"
        )
    found = session.scalar(select(NotificationPreferences).where(NotificationPreferences.user_id == user.id))
    if found is None:
        found = NotificationPreferences(user_id=user.id)
        session.add(found)
    found.quiet_start, found.quiet_end = start, end
    session.commit()
    return found


def set_digest_hour(session: Session, user: User, hour: int | None) -> NotificationPreferences:
    """The family-local hour of the member's daily digest; None: no digest. Today's, if already
    written, is not written again."""
    found = session.scalar(select(NotificationPreferences).where(NotificationPreferences.user_id == user.id))
    if found is None:
        found = NotificationPreferences(user_id=user.id)
        session.add(found)
    found.digest_hour = hour
    session.commit()
    return found
