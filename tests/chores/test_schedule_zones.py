"""Every schedule kind, through the service, in families whose zone changes its clocks that day:
each occurrence is due at its local wall time (or at the end of its local day), whatever the UTC
offset was the day before. Kolkata, which never changes, is the control.

Chores are made and listed at a told instant (clock.told) a few days before the change.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from chores_tracker import clock
from chores_tracker.chores import lifecycle, occurrences, service
from chores_tracker.chores.models import Chore
from chores_tracker.chores.schemas import ChoreCreate
from chores_tracker.identity.models import User
from tests.support.api import Api, Person
from tests.support.family import family

# (zone, the day its clocks change) — Kolkata's day is an ordinary one.
CHANGES = [
    ("America/New_York", date(2026, 3, 8)),  # spring forward, 02:00 -> 03:00
    ("America/New_York", date(2026, 11, 1)),  # fall back, 02:00 -> 01:00
    ("Europe/London", date(2026, 3, 29)),
    ("Europe/London", date(2026, 10, 25)),
    ("Australia/Sydney", date(2026, 4, 5)),  # summer time ends
    ("Australia/Sydney", date(2026, 10, 4)),  # summer time starts
    ("Asia/Kolkata", date(2026, 3, 8)),
]
DUE = time(7, 30)


def kinds(day: date) -> dict[str, dict]:
    """A schedule of each calendar kind that falls due on `day`."""
    weekday = day.weekday()
    return {
        "once": {"kind": "once", "due_date": str(day)},
        "daily": {"kind": "daily"},
        "every_n_days": {"kind": "every_n_days", "interval": 2, "anchor": str(day - timedelta(days=4))},
        "weekly": {"kind": "weekly", "weekdays": [weekday]},
        "every_n_weeks": {"kind": "every_n_weeks", "interval": 2, "weekdays": [weekday], "anchor": str(day)},
        "monthly_day": {"kind": "monthly_day", "day_of_month": day.day},
        "monthly_nth_weekday": {"kind": "monthly_nth_weekday", "nth": (day.day - 1) // 7 + 1, "weekdays": [weekday]},
        "yearly": {"kind": "yearly", "month": day.month, "day_of_month": day.day},
    }


def zoned_family(api: Api, zone: str):
    home = family(api, kids=1)
    assert api.put("/families/timezone", home.parent, json={"timezone": zone}).status_code == 200
    return home


def make(app, parent: Person, kid: Person, at: datetime, schedule: dict) -> int:
    body = {"title": schedule["kind"], "reward": "1.00", "assignee_ids": [kid.id], "schedule": schedule}
    with app.state.session_factory() as session, clock.told(at):
        return service.create_chore(session, session.get(User, parent.id), ChoreCreate(**body)).id


def due_on(app, parent: Person, chore_id: int, day: date, now: datetime) -> occurrences.OccurrenceView:
    with app.state.session_factory() as session:
        views = occurrences.list_occurrences(
            session, session.get(User, parent.id), day - timedelta(days=3), day + timedelta(days=3), now=now
        )
    (found,) = [view for view in views if view.chore_id == chore_id and view.due_on == day]
    return found


@pytest.mark.parametrize(("zone", "day"), CHANGES, ids=[f"{zone}-{day}" for zone, day in CHANGES])
def test_every_kind_is_due_at_its_local_time_on_the_day_the_clocks_change(app, api, zone, day):
    home = zoned_family(api, zone)
    tz = ZoneInfo(zone)
    made_at = datetime.combine(day - timedelta(days=3), time(12, 0), tz)
    for name, schedule in kinds(day).items():
        timed = make(app, home.parent, home.kids[0], made_at, {**schedule, "due_time": "07:30"})
        whole_day = make(app, home.parent, home.kids[0], made_at, schedule)

        view = due_on(app, home.parent, timed, day, made_at)
        assert view.due_at == datetime.combine(day, DUE, tz), name
        assert view.due_at_local.replace(tzinfo=None) == datetime.combine(day, DUE), name
        assert view.due_at_local.utcoffset() == tz.utcoffset(datetime.combine(day, DUE)), name

        # Date-only: due when the local day ends, at the next local midnight.
        view = due_on(app, home.parent, whole_day, day, made_at)
        assert view.due_at == datetime.combine(day + timedelta(days=1), time.min, tz), name
        assert view.due_from == datetime.combine(day, time.min, tz), name


@pytest.mark.parametrize(("zone", "day"), CHANGES, ids=[f"{zone}-{day}" for zone, day in CHANGES])
def test_a_daily_chore_keeps_its_wall_time_across_the_change_and_its_utc_time_moves(app, api, zone, day):
    home = zoned_family(api, zone)
    tz = ZoneInfo(zone)
    made_at = datetime.combine(day - timedelta(days=3), time(12, 0), tz)
    chore_id = make(app, home.parent, home.kids[0], made_at, {"kind": "daily", "due_time": "07:30"})
    before = due_on(app, home.parent, chore_id, day - timedelta(days=1), made_at)
    after = due_on(app, home.parent, chore_id, day + timedelta(days=1), made_at)
    assert before.due_at_local.time() == after.due_at_local.time() == DUE
    shift = (after.due_at - before.due_at) - timedelta(days=2)
    expected = tz.utcoffset(datetime.combine(day - timedelta(days=1), DUE)) - tz.utcoffset(
        datetime.combine(day + timedelta(days=1), DUE)
    )
    assert shift == expected
    assert (shift != timedelta(0)) == (zone != "Asia/Kolkata")


def test_monthly_on_the_last_day_follows_each_months_length_in_the_zone(app, api):
    home = zoned_family(api, "Australia/Sydney")
    tz = ZoneInfo("Australia/Sydney")
    made_at = datetime(2026, 1, 20, 12, 0, tzinfo=tz)
    chore_id = make(app, home.parent, home.kids[0], made_at, {"kind": "monthly_last_day", "due_time": "20:00"})
    view = due_on(app, home.parent, chore_id, date(2026, 1, 31), made_at)
    assert view.due_at == datetime(2026, 1, 31, 20, 0, tzinfo=tz)
    later = made_at + timedelta(days=20)
    with app.state.session_factory() as session:
        occurrences.ensure_occurrences(session, session.get(Chore, chore_id), later)
        session.commit()
    assert due_on(app, home.parent, chore_id, date(2026, 2, 28), later).due_at == datetime(
        2026, 2, 28, 20, 0, tzinfo=tz
    )


def test_wall_times_the_change_skips_or_repeats_are_due_at_the_first_instant_after_or_the_first_of_the_two(app, api):
    home = zoned_family(api, "America/New_York")
    tz = ZoneInfo("America/New_York")
    spring = datetime(2026, 3, 5, 12, 0, tzinfo=tz)
    gap = make(app, home.parent, home.kids[0], spring, {"kind": "daily", "due_time": "02:30"})
    # 02:30 does not exist on 8 March: due at 03:00 EDT, the first instant after the gap.
    assert due_on(app, home.parent, gap, date(2026, 3, 8), spring).due_at == datetime(
        2026, 3, 8, 7, 0, tzinfo=ZoneInfo("UTC")
    )
    autumn = datetime(2026, 10, 29, 12, 0, tzinfo=tz)
    overlap = make(app, home.parent, home.kids[0], autumn, {"kind": "daily", "due_time": "01:30"})
    # 01:30 happens twice on 1 November: due at the first, 01:30 EDT (05:30 UTC).
    assert due_on(app, home.parent, overlap, date(2026, 11, 1), autumn).due_at == datetime(
        2026, 11, 1, 5, 30, tzinfo=ZoneInfo("UTC")
    )


@pytest.mark.parametrize(("zone", "day"), CHANGES, ids=[f"{zone}-{day}" for zone, day in CHANGES])
def test_after_completion_is_due_the_set_number_of_local_days_after_it_was_done(app, api, zone, day):
    home = zoned_family(api, zone)
    tz = ZoneInfo(zone)
    kid = home.kids[0]
    made_at = datetime.combine(day - timedelta(days=3), time(12, 0), tz)
    chore_id = make(app, home.parent, kid, made_at, {"kind": "after_completion", "interval": 1, "due_time": "07:30"})
    done_at = datetime.combine(day - timedelta(days=1), time(21, 0), tz)  # the evening before the change
    with app.state.session_factory() as session, clock.told(done_at):
        slot = lifecycle.complete_chore(session, session.get(User, kid.id), chore_id).assignment
        lifecycle.approve_assignment(session, session.get(User, home.parent.id), slot.id)
    view = due_on(app, home.parent, chore_id, day, done_at)
    assert view.due_at == datetime.combine(day, DUE, tz)
    assert view.state == "upcoming"
