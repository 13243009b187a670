"""The daily digest (issue 13 point 5): at the family-local hour a member chose, one notification
with the day's summary (chores done, approved, waiting for review, balances), written by the
worker's time step. No HTTP.

Exactly once per member and family-local day: the digest is written in the same transaction as a
conditional `UPDATE notification_preferences SET digest_sent_on = <today> WHERE digest_sent_on IS
NULL OR digest_sent_on < <today>`, so of two workers only the one whose update changed the row
writes it, and a step that runs late (a missed tick, a worker down for a while) still sends that
day's digest any time after the hour until the family's midnight. A day the worker misses
entirely has no digest.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker import clock
from chores_tracker.chores.models import Completion, CompletionStatus
from chores_tracker.db.engine import rows_changed
from chores_tracker.families.models import Family
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.money import from_cents_or_zero
from chores_tracker.notifications.models import Notification, NotificationPreferences
from chores_tracker.timezones import zone


@dataclass(frozen=True)
class Due:
    user_id: int
    family_id: int
    today: str  # the family-local day, YYYY-MM-DD
    start: datetime  # its bounds in UTC
    end: datetime


def due_digests(session: Session, now: datetime) -> list[Due]:
    """Members whose digest hour has come today (family-local) and who have not had today's."""
    rows = session.execute(
        select(
            NotificationPreferences.user_id,
            NotificationPreferences.digest_hour,
            NotificationPreferences.digest_sent_on,
            User.family_id,
            Family.timezone,
        )
        .join(User, User.id == NotificationPreferences.user_id)
        .join(Family, Family.id == User.family_id)
        .where(NotificationPreferences.digest_hour.is_not(None), User.is_active)
        .order_by(NotificationPreferences.user_id)
    ).all()
    due = []
    for user_id, hour, sent_on, family_id, timezone in rows:
        if hour is None or family_id is None:
            continue
        where = zone(timezone)
        local = now.astimezone(where)
        today = local.date()
        if local.hour < hour or (sent_on is not None and sent_on >= today.isoformat()):
            continue
        start = datetime.combine(today, time(), tzinfo=where).astimezone(UTC)
        end = datetime.combine(today + timedelta(days=1), time(), tzinfo=where).astimezone(UTC)
        due.append(Due(user_id, family_id, today.isoformat(), start, end))
    return due


def _money(cents: int) -> str:
    return f"{from_cents_or_zero(cents):.2f}"


def summary(session: Session, user: User, day: Due) -> str:
    """The day in one line: a parent's of the whole family, a child's of its own."""
    scope = [Completion.family_id == day.family_id]
    if not user.is_parent:
        scope.append(Completion.child_id == user.id)
    done = session.scalar(
        select(func.count()).where(*scope, Completion.completed_at >= day.start, Completion.completed_at < day.end)
    )
    approved = session.scalar(
        select(func.count()).where(
            *scope,
            Completion.status == CompletionStatus.approved.value,
            Completion.reviewed_at >= day.start,
            Completion.reviewed_at < day.end,
        )
    )
    waiting = session.scalar(select(func.count()).where(*scope, Completion.status == CompletionStatus.pending.value))
    text = f"Today: {done or 0} done, {approved or 0} approved, {waiting or 0} waiting for review."
    if user.is_parent:
        children = list(
            session.scalars(
                select(User)
                .where(User.family_id == day.family_id, User.is_parent.is_(False), User.is_active)
                .order_by(User.id)
            )
        )
        balances = ledger.balances_until(session, [c.id for c in children], None)
        if children:
            text += " Balances: " + ", ".join(f"{c.name} {_money(balances.get(c.id, 0))}" for c in children) + "."
    else:
        balance = ledger.balances_until(session, [user.id], None).get(user.id, 0)
        text += f" Your balance: {_money(balance)}."
    return text[:500]


def send_digests(session_factory: sessionmaker[Session], now: datetime | None = None) -> int:
    """Writes each due member's digest (one short transaction each); how many were written."""
    now = now or clock.now()
    with session_factory() as session:
        due = due_digests(session, now)
    written = 0
    for day in due:
        with session_factory() as session:
            moved = session.execute(
                update(NotificationPreferences)
                .where(
                    NotificationPreferences.user_id == day.user_id,
                    NotificationPreferences.digest_hour.is_not(None),
                    or_(
                        NotificationPreferences.digest_sent_on.is_(None),
                        NotificationPreferences.digest_sent_on < day.today,
                    ),
                )
                .values(digest_sent_on=day.today)
                .execution_options(synchronize_session=False)
            )
            user = session.get(User, day.user_id)
            if rows_changed(moved) != 1 or user is None or user.family_id != day.family_id:
                session.rollback()
                continue
            session.add(
                Notification(
                    family_id=day.family_id,
                    recipient_id=user.id,
                    event="daily_digest",
                    text=summary(session, user, day),
                    created_at=now,
                )
            )
            session.commit()
            written += 1
    return written
