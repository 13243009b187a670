"""Calendar feeds: a private, revocable URL per family and per child serving its occurrences as
iCalendar (RFC 5545, with the icalendar library), in the family's zone. No HTTP.

- `make_feed(session, parent, child_id=None)` -> (CalendarFeed, token): a new URL for the family
  (child_id None) or one child; it replaces (revokes) the one before. The token is shown only now.
- `list_feeds(session, parent)` -> [CalendarFeed]: the family's live feeds (no tokens).
- A feed ends with the membership it rests on: once the parent who made it, or the child it shows,
  is removed from the family, it is neither listed nor served (checked as it is read, so no
  background job is needed; rejoining later does not bring it back: the member must have been in
  the family since before the feed was made).
- `revoke_feed(session, parent, feed_id)`: the URL stops working at once.
- `feed_ics(session, token, now=None)` -> bytes: the feed, from a week back through the occurrences
  made ahead (occurrences.HORIZON_DAYS); a skipped occurrence is left out. Unknown or revoked
  tokens are NotFound, alike.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from chores_tracker import clock, timezones
from chores_tracker.chores.models import CalendarFeed
from chores_tracker.chores.occurrences import HORIZON_DAYS, SKIPPED, OccurrenceView, feed_occurrences
from chores_tracker.db.engine import rows_changed
from chores_tracker.errors import NotFound
from chores_tracker.families.models import Family
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.identity.tokens import hash_token
from chores_tracker.money import from_cents

if TYPE_CHECKING:
    from icalendar import Event

PRODUCT = "-//Chores Tracker//Schedules//EN"


def _live(family_id: int, child_id: int | None) -> list[ColumnElement[bool]]:
    whose = CalendarFeed.child_id.is_(None) if child_id is None else CalendarFeed.child_id == child_id
    return [CalendarFeed.family_id == family_id, whose, CalendarFeed.revoked_at.is_(None)]


def _member_since_made(user_id: QueryableAttribute[int | None]) -> ColumnElement[bool]:
    """The user is in the feed's family, and has been since before the feed was made."""
    member = aliased(User)
    return exists(
        select(member.id).where(
            member.id == user_id,
            member.family_id == CalendarFeed.family_id,
            or_(member.family_joined_at.is_(None), member.family_joined_at <= CalendarFeed.created_at),
        )
    )


def _serving() -> ColumnElement[bool]:
    """A feed that works: not revoked, its maker still a parent of the family, and its child (if
    it shows one) still a child of it."""
    return and_(
        CalendarFeed.revoked_at.is_(None),
        _member_since_made(CalendarFeed.created_by),
        or_(CalendarFeed.child_id.is_(None), _member_since_made(CalendarFeed.child_id)),
    )


def make_feed(session: Session, parent: User, child_id: int | None = None) -> tuple[CalendarFeed, str]:
    if parent.family_id is None:
        raise NotFound("you are not in a family yet")
    if child_id is not None:
        identity.child_of_family(session, parent, child_id)
    now = clock.now()
    session.execute(
        update(CalendarFeed)
        .where(*_live(parent.family_id, child_id))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed(
        family_id=parent.family_id,
        child_id=child_id,
        token_hash=hash_token(token),
        created_by=parent.id,
        created_at=now,
    )
    session.add(feed)
    session.commit()
    return feed, token


def list_feeds(session: Session, parent: User) -> list[CalendarFeed]:
    return list(
        session.scalars(
            select(CalendarFeed).where(CalendarFeed.family_id == parent.family_id, _serving()).order_by(CalendarFeed.id)
        )
    )


def revoke_feed(session: Session, parent: User, feed_id: int) -> None:
    revoked = session.execute(
        update(CalendarFeed)
        .where(
            CalendarFeed.id == feed_id,
            CalendarFeed.family_id == parent.family_id,
            CalendarFeed.revoked_at.is_(None),
        )
        .values(revoked_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(revoked) != 1:
        session.rollback()
        raise NotFound("calendar feed not found")
    session.commit()


def _event(view: OccurrenceView, *, with_child: bool, now: datetime) -> Event:
    from icalendar import Event

    event = Event()
    event.add("uid", f"occurrence-{view.id}@chores-tracker")
    event.add("dtstamp", now)
    who = f" ({view.child_name})" if with_child and view.child_name else ""
    event.add("summary", f"{view.chore_title}{who}")
    if view.has_due_time:
        event.add("dtstart", view.due_at_local)  # a local time with its zone (TZID and VTIMEZONE)
    else:
        event.add("dtstart", view.due_on)  # all day
        event.add("dtend", view.due_on + timedelta(days=1))
    details = [f"State: {view.state}"]
    if view.missed_penalty_cents:
        details.append(f"Missed penalty: {from_cents(view.missed_penalty_cents)}")
    event.add("description", "\n".join(details))
    event.add("categories", [view.state])
    return event


def feed_ics(session: Session, token: str, now: datetime | None = None) -> bytes:
    now = now or clock.now()
    feed = session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token), _serving()))
    family = session.get(Family, feed.family_id) if feed is not None else None
    if feed is None or family is None:
        raise NotFound("calendar feed not found")
    zone = timezones.zone(family.timezone)
    today = now.astimezone(zone).date()
    views = feed_occurrences(
        session, family, today - timedelta(days=7), today + timedelta(days=HORIZON_DAYS), feed.child_id, now
    )
    from icalendar import Calendar  # only here: importing it is a good part of the app's start-up

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = family.name or "Family"
    child = session.get(User, feed.child_id) if feed.child_id is not None else None
    calendar.add("x-wr-calname", f"Chores: {child.username if child else name}")
    calendar.add("x-wr-timezone", zone.key)
    for view in views:
        if view.state != SKIPPED:
            calendar.add_component(_event(view, with_child=feed.child_id is None, now=now))
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())
