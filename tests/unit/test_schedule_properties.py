"""Properties of the schedule engine for random schedules, zones and windows (hypothesis).

Each property is checked against an oracle written here, independently of chores.schedule: a
day-by-day scan of the calendar with each kind's rule spelled out, and a wall-time-to-instant
conversion that tries the zone's offsets instead of searching for the change.
"""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chores_tracker.chores.schedule import ScheduleKind, ScheduleSpec, describe, due_after, next_due, occurrences

# The zones of the issue, and ones whose changes are unusual: half-hour DST (Lord Howe), changes
# at midnight (Havana, Santiago: a local midnight that does not exist), a negative DST in the
# data (Dublin), offsets of :30 and :45 (St John's, Chatham).
ZONES = [
    "America/New_York",
    "Europe/London",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Australia/Lord_Howe",
    "America/Havana",
    "America/Santiago",
    "Europe/Dublin",
    "America/St_Johns",
    "Pacific/Chatham",
    "UTC",
]
# Wall times at and around the usual changes, so that gaps and overlaps come up often.
CHANGE_TIMES = [time(0, 0), time(0, 30), time(1, 0), time(1, 30), time(2, 0), time(2, 30), time(3, 0), time(23, 30)]

PROPERTIES = settings(max_examples=50, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


def _changes(name: str) -> list[datetime]:
    """The instants a zone changes its offset in 2025-2029 (to the minute), found by scanning."""
    zone, found = ZoneInfo(name), []
    instant = datetime(2025, 1, 1, tzinfo=UTC)
    while instant.year < 2029:
        following = instant + timedelta(days=1)
        if instant.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = instant, following
            while high - low > timedelta(minutes=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            # Changes happen on a whole minute, and this one lies less than a minute before `high`.
            found.append(high.replace(second=0, microsecond=0))
        instant = following
    return found


CHANGES = {name: _changes(name) for name in ZONES}

# Month-days of a leap year, as seasons and yearly dates take them (29 Feb included).
month_days = st.tuples(st.integers(1, 12), st.integers(1, 31)).filter(
    lambda md: md[1] <= calendar.monthrange(2024, md[0])[1]
)


def _month_day(pair: tuple[int, int]) -> str:
    return f"{pair[0]:02d}-{pair[1]:02d}"


@st.composite
def schedules(draw: st.DrawFn, kind: ScheduleKind, near: date, times: list[time] | None = None) -> ScheduleSpec:
    """A valid schedule of a kind; its due date and anchor, if any, within weeks of `near` (where the window is)."""
    days = st.integers(-60, 60).map(lambda n: near + timedelta(days=n))
    weekdays = st.lists(st.integers(0, 6), min_size=1, max_size=7)
    fields: dict[str, Any] = {"kind": kind.value}
    if kind == ScheduleKind.once:
        fields["due_date"] = draw(st.none() | days)
    if kind == ScheduleKind.every_n_days:
        fields["interval"] = draw(st.integers(1, 12) | st.integers(1, 12) | st.integers(1, 365))
    if kind == ScheduleKind.every_n_weeks:
        fields["interval"] = draw(st.integers(1, 6) | st.integers(1, 6) | st.integers(1, 52))
    if kind == ScheduleKind.after_completion:
        fields["interval"] = draw(st.integers(0, 365))
    if kind in (ScheduleKind.weekly, ScheduleKind.every_n_weeks):
        fields["weekdays"] = draw(weekdays)
    if kind == ScheduleKind.monthly_day:
        fields["day_of_month"] = draw(st.integers(1, 31))
    if kind == ScheduleKind.monthly_nth_weekday:
        fields["nth"] = draw(st.sampled_from([1, 2, 3, 4, 5, -1]))
        fields["weekdays"] = [draw(st.integers(0, 6))]
    if kind == ScheduleKind.yearly:
        fields["month"], fields["day_of_month"] = draw(month_days)
    needs_anchor = kind in (ScheduleKind.every_n_days, ScheduleKind.every_n_weeks)
    may_have_one = kind not in (ScheduleKind.once, ScheduleKind.after_completion)
    if needs_anchor or (may_have_one and draw(st.booleans())):
        fields["anchor"] = draw(days)
    if kind != ScheduleKind.once and draw(st.integers(0, 3)) == 0:
        fields["season"] = {"start": _month_day(draw(month_days)), "end": _month_day(draw(month_days))}
    any_time = st.times().map(lambda t: t.replace(second=0, microsecond=0))
    due_time = draw(st.none() | st.sampled_from(times or CHANGE_TIMES) | st.sampled_from(CHANGE_TIMES) | any_time)
    if due_time is not None:
        fields["due_time"] = due_time.strftime("%H:%M")
    fields["lead_time_hours"] = draw(st.integers(0, 48))
    fields["grace_hours"] = draw(st.integers(0, 48))
    return ScheduleSpec.model_validate(fields)


instants = st.integers(0, 4 * 365 * 86400).map(lambda s: datetime(2025, 1, 1, tzinfo=UTC) + timedelta(seconds=s))


MONTHS_APART = (
    ScheduleKind.monthly_day,
    ScheduleKind.monthly_nth_weekday,
    ScheduleKind.monthly_last_day,
    ScheduleKind.yearly,
)


def _wall(instant: datetime, zone: ZoneInfo) -> time:
    return instant.astimezone(zone).time().replace(second=0)


@st.composite
def cases(draw: st.DrawFn, kind: ScheduleKind) -> tuple[ScheduleSpec, ZoneInfo, datetime, datetime]:
    """A schedule of the kind, a zone and a window [start, end) of whole seconds: short or months long,
    and half of the time across one of the zone's changes, with a due time in its gap or overlap."""
    name = draw(st.sampled_from(ZONES))
    zone, changes = ZoneInfo(name), CHANGES[name]
    # Whole days drawn apart from the seconds: integers alone would keep to a few seconds too often.
    days = draw(st.sampled_from([31, 120, 400, 800] if kind in MONTHS_APART else [0, 1, 2, 7, 31, 120, 400]))
    length = timedelta(days=days, seconds=draw(st.integers(0, 86400)))
    near_a_change: list[time] = []
    if changes and draw(st.booleans()):
        change = draw(st.sampled_from(changes))
        start = change - timedelta(seconds=draw(st.integers(0, int(length.total_seconds()))))
        # The wall clock just before and just after the change: the edges of its gap or overlap.
        edges = (_wall(change - timedelta(seconds=1), zone), _wall(change, zone))
        near_a_change = [
            (datetime.combine(date(2026, 1, 1), edge) + timedelta(minutes=minutes)).time()
            for edge in edges
            for minutes in (0, 1, 15, 30)
        ]
    else:
        start = draw(instants)
    return draw(schedules(kind, start.date(), near_a_change)), zone, start, start + length


# One run per kind, so that each gets its share of examples.
DATED_KINDS = pytest.mark.parametrize("kind", [kind for kind in ScheduleKind if kind != ScheduleKind.after_completion])


def in_season(spec: ScheduleSpec, day: date) -> bool:
    if spec.season is None:
        return True
    start = (int(spec.season.start[:2]), int(spec.season.start[3:]))
    end = (int(spec.season.end[:2]), int(spec.season.end[3:]))
    here = (day.month, day.day)
    return start <= here <= end if start <= end else not end < here < start


def allowed(spec: ScheduleSpec, day: date) -> bool:
    """Whether the rule, the anchor and the season let the schedule be due on `day`, spelled out."""
    last = calendar.monthrange(day.year, day.month)[1]
    monday = day - timedelta(days=day.weekday())
    if spec.anchor is not None and day < spec.anchor:
        return False
    if not in_season(spec, day):
        return False
    weekdays = spec.weekdays or ()
    kind = spec.kind
    if kind == ScheduleKind.once:
        return day == spec.due_date
    if kind == ScheduleKind.daily:
        return True
    if kind == ScheduleKind.every_n_days:
        assert spec.anchor is not None and spec.interval is not None
        return (day - spec.anchor).days % spec.interval == 0
    if kind == ScheduleKind.weekly:
        return day.weekday() in weekdays
    if kind == ScheduleKind.every_n_weeks:
        assert spec.anchor is not None and spec.interval is not None
        anchor_monday = spec.anchor - timedelta(days=spec.anchor.weekday())
        return day.weekday() in weekdays and ((monday - anchor_monday).days // 7) % spec.interval == 0
    if kind == ScheduleKind.monthly_day:
        assert spec.day_of_month is not None
        return day.day == min(spec.day_of_month, last)
    if kind == ScheduleKind.monthly_nth_weekday:
        if day.weekday() != weekdays[0]:
            return False
        return day.day + 7 > last if spec.nth == -1 else (day.day - 1) // 7 + 1 == spec.nth
    if kind == ScheduleKind.monthly_last_day:
        return day.day == last
    if kind == ScheduleKind.yearly:
        assert spec.day_of_month is not None
        return day.month == spec.month and day.day == min(spec.day_of_month, last)
    raise AssertionError(kind)


def wall_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The first instant whose local wall time is `at` on `day`, or, if none is, the first after it."""
    naive = datetime.combine(day, at)
    offsets = {zone.utcoffset(naive + timedelta(hours=hours)) for hours in range(-48, 49, 6)}
    candidates = sorted(naive.replace(tzinfo=UTC) - offset for offset in offsets if offset is not None)
    exact = [instant for instant in candidates if instant.astimezone(zone).replace(tzinfo=None) == naive]
    if exact:
        return exact[0]
    # In a gap: walk the minutes between the readings to the first that is later on the wall clock.
    instant = candidates[0]
    while instant.astimezone(zone).replace(tzinfo=None) <= naive:
        instant += timedelta(minutes=1)
    return instant


def expected(spec: ScheduleSpec, zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[date, datetime]]:
    day, last = start.astimezone(zone).date() - timedelta(days=3), end.astimezone(zone).date() + timedelta(days=3)
    found = []
    while day <= last:
        if allowed(spec, day):
            due_at = (
                wall_to_utc(day, spec.due_time, zone)
                if spec.due_time is not None
                else wall_to_utc(day + timedelta(days=1), time(0), zone)
            )
            if start <= due_at < end:
                found.append((day, due_at))
        day += timedelta(days=1)
    return found


@DATED_KINDS
@PROPERTIES
@given(data=st.data())
def test_occurrences_are_the_allowed_days_in_order_each_once(kind, data):
    case = data.draw(cases(kind))
    spec, zone, start, end = case
    found = occurrences(spec, zone, start, end)
    days = [item.on for item in found]
    due_at = [item.due_at for item in found]
    assert days == sorted(set(days)), "dates in order, never twice"
    assert due_at == sorted(set(due_at)), "instants in order, never twice"
    assert all(allowed(spec, day) for day in days), "only days the rule allows"
    assert list(zip(days, due_at, strict=True)) == expected(spec, zone, start, end), "none skipped"
    for item in found:
        assert item.due_at.utcoffset() == timedelta(0)
        assert item.due_soon_from == item.due_at - timedelta(hours=spec.lead_time_hours)
        assert item.overdue_after == item.due_at + timedelta(hours=spec.grace_hours)


@DATED_KINDS
@PROPERTIES
@given(data=st.data(), where=st.floats(0, 1))
def test_a_window_split_in_two_gives_the_whole(kind, data, where):
    case = data.draw(cases(kind))
    spec, zone, start, end = case
    middle = start + timedelta(seconds=int((end - start).total_seconds() * where))
    assert occurrences(spec, zone, start, middle) + occurrences(spec, zone, middle, end) == occurrences(
        spec, zone, start, end
    )


@DATED_KINDS
@PROPERTIES
@given(data=st.data())
def test_next_due_is_the_first_occurrence_after_the_instant(kind, data):
    spec, zone, after, _ = data.draw(cases(kind))
    following = next_due(spec, zone, after)
    # Within 13 months every kind has come round again, unless its season and its rule rarely meet.
    window = occurrences(spec, zone, after + timedelta(seconds=1), after + timedelta(days=400))
    if window:
        assert following == window[0]
        # Strictly after: from the instant an occurrence is due, the next one is the following one.
        if len(window) > 1:
            assert next_due(spec, zone, window[0].due_at) == window[1]
    elif following is not None:
        assert following.due_at >= after + timedelta(days=400)


@PROPERTIES
@given(data=st.data())
def test_after_completion_is_due_interval_days_after_the_local_day_it_was_done(data):
    spec, zone, done_at, _ = data.draw(cases(ScheduleKind.after_completion))
    item = due_after(spec, zone, done_at)
    assert spec.interval is not None
    earliest = done_at.astimezone(zone).date() + timedelta(days=spec.interval)
    assert item.on >= earliest and in_season(spec, item.on)
    assert all(not in_season(spec, earliest + timedelta(days=n)) for n in range((item.on - earliest).days))
    end_of_day = wall_to_utc(item.on + timedelta(days=1), time(0), zone)
    assert item.due_at == (wall_to_utc(item.on, spec.due_time, zone) if spec.due_time else end_of_day)


@pytest.mark.parametrize("kind", list(ScheduleKind))
@PROPERTIES
@given(data=st.data())
def test_every_schedule_reads_back_as_itself_and_has_words(kind, data):
    spec, *_ = data.draw(cases(kind))
    assert ScheduleSpec.model_validate(spec.model_dump(mode="json")) == spec
    assert describe(spec)
