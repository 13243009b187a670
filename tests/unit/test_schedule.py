"""A chore's schedule (chores.schedule): validation, due instants and plain words. Pure: no database, no app.

Every expected instant below was worked out by hand from the zones' 2026 rules, not by the code:
America/New_York  EST (UTC-5); EDT (UTC-4) from Sun 8 Mar 07:00 UTC (02:00 -> 03:00 local)
                  to Sun 1 Nov 06:00 UTC (02:00 -> 01:00 local: 01:00-01:59 happens twice)
Europe/London     GMT (UTC); BST (UTC+1) from Sun 29 Mar 01:00 UTC (01:00 -> 02:00) to Sun 25 Oct 01:00 UTC
Australia/Sydney  AEDT (UTC+11) until Sun 5 Apr (03:00 -> 02:00: 02:00-02:59 twice), AEST (UTC+10)
                  until Sun 4 Oct (02:00 -> 03:00), AEDT after
Asia/Kolkata      IST (UTC+5:30), no DST
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from chores_tracker.chores.schedule import (
    Rotation,
    ScheduleKind,
    ScheduleSpec,
    describe,
    due_after,
    due_dates,
    next_due,
    occurrences,
)

NEW_YORK = ZoneInfo("America/New_York")
LONDON = ZoneInfo("Europe/London")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def spec(**fields: object) -> ScheduleSpec:
    return ScheduleSpec.model_validate(fields)


def due(schedule: ScheduleSpec, zone: ZoneInfo, start: datetime, end: datetime) -> list[tuple[date, datetime]]:
    return [(item.on, item.due_at) for item in occurrences(schedule, zone, start, end)]


# (schedule, zone, window start, window end, [(local date, UTC due instant), ...])
EVERY_KIND = {
    "once in the spring gap: the first instant after it, 03:00 EDT": (
        {"kind": "once", "due_date": "2026-03-08", "due_time": "02:30"},
        NEW_YORK,
        utc(2026, 3, 1),
        utc(2026, 4, 1),
        [(date(2026, 3, 8), utc(2026, 3, 8, 7, 0))],
    ),
    "once in the autumn overlap: the first 01:30, EDT": (
        {"kind": "once", "due_date": "2026-11-01", "due_time": "01:30"},
        NEW_YORK,
        utc(2026, 10, 1),
        utc(2026, 12, 1),
        [(date(2026, 11, 1), utc(2026, 11, 1, 5, 30))],
    ),
    "once, date-only: when its local day ends, midnight EDT": (
        {"kind": "once", "due_date": "2026-03-08"},
        NEW_YORK,
        utc(2026, 3, 1),
        utc(2026, 4, 1),
        [(date(2026, 3, 8), utc(2026, 3, 9, 4, 0))],
    ),
    "daily at 18:00 across 8 Mar in New York": (
        {"kind": "daily", "due_time": "18:00"},
        NEW_YORK,
        utc(2026, 3, 6),
        utc(2026, 3, 10),
        [
            (date(2026, 3, 6), utc(2026, 3, 6, 23)),
            (date(2026, 3, 7), utc(2026, 3, 7, 23)),
            (date(2026, 3, 8), utc(2026, 3, 8, 22)),
            (date(2026, 3, 9), utc(2026, 3, 9, 22)),
        ],
    ),
    "daily at 02:30 across 8 Mar in New York: the missing 02:30 is due at 03:00": (
        {"kind": "daily", "due_time": "02:30"},
        NEW_YORK,
        utc(2026, 3, 7),
        utc(2026, 3, 10),
        [
            (date(2026, 3, 7), utc(2026, 3, 7, 7, 30)),
            (date(2026, 3, 8), utc(2026, 3, 8, 7, 0)),
            (date(2026, 3, 9), utc(2026, 3, 9, 6, 30)),
        ],
    ),
    "daily at 01:30 across 1 Nov in New York: the twice-seen 01:30 once, the first": (
        {"kind": "daily", "due_time": "01:30"},
        NEW_YORK,
        utc(2026, 10, 31),
        utc(2026, 11, 3),
        [
            (date(2026, 10, 31), utc(2026, 10, 31, 5, 30)),
            (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
            (date(2026, 11, 2), utc(2026, 11, 2, 6, 30)),
        ],
    ),
    "daily, date-only, across 1 Nov in New York: due at each local midnight": (
        {"kind": "daily"},
        NEW_YORK,
        utc(2026, 10, 31),
        utc(2026, 11, 3),
        [
            (date(2026, 10, 30), utc(2026, 10, 31, 4)),
            (date(2026, 10, 31), utc(2026, 11, 1, 4)),
            (date(2026, 11, 1), utc(2026, 11, 2, 5)),
        ],
    ),
    "daily at 02:30 across 4 Oct in Sydney (spring gap)": (
        {"kind": "daily", "due_time": "02:30"},
        SYDNEY,
        utc(2026, 10, 2),
        utc(2026, 10, 5),
        [
            (date(2026, 10, 3), utc(2026, 10, 2, 16, 30)),
            (date(2026, 10, 4), utc(2026, 10, 3, 16, 0)),
            (date(2026, 10, 5), utc(2026, 10, 4, 15, 30)),
        ],
    ),
    "daily at 02:30 across 5 Apr in Sydney (autumn overlap)": (
        {"kind": "daily", "due_time": "02:30"},
        SYDNEY,
        utc(2026, 4, 3),
        utc(2026, 4, 6),
        [
            (date(2026, 4, 4), utc(2026, 4, 3, 15, 30)),
            (date(2026, 4, 5), utc(2026, 4, 4, 15, 30)),
            (date(2026, 4, 6), utc(2026, 4, 5, 16, 30)),
        ],
    ),
    "every 3 days from 2 Mar at 07:00 in New York": (
        {"kind": "every_n_days", "interval": 3, "anchor": "2026-03-02", "due_time": "07:00"},
        NEW_YORK,
        utc(2026, 3, 1),
        utc(2026, 3, 15),
        [
            (date(2026, 3, 2), utc(2026, 3, 2, 12)),
            (date(2026, 3, 5), utc(2026, 3, 5, 12)),
            (date(2026, 3, 8), utc(2026, 3, 8, 11)),
            (date(2026, 3, 11), utc(2026, 3, 11, 11)),
            (date(2026, 3, 14), utc(2026, 3, 14, 11)),
        ],
    ),
    "every Mon, Wed and Fri at 18:00 across 1 Nov in New York": (
        {"kind": "weekly", "weekdays": ["mon", "wed", "fri"], "due_time": "18:00"},
        NEW_YORK,
        utc(2026, 10, 26),
        utc(2026, 11, 7),
        [
            (date(2026, 10, 26), utc(2026, 10, 26, 22)),
            (date(2026, 10, 28), utc(2026, 10, 28, 22)),
            (date(2026, 10, 30), utc(2026, 10, 30, 22)),
            (date(2026, 11, 2), utc(2026, 11, 2, 23)),
            (date(2026, 11, 4), utc(2026, 11, 4, 23)),
            (date(2026, 11, 6), utc(2026, 11, 6, 23)),
        ],
    ),
    "every Sunday at 01:30 across 25 Oct in London (overlap)": (
        {"kind": "weekly", "weekdays": [6], "due_time": "01:30"},
        LONDON,
        utc(2026, 10, 17),
        utc(2026, 11, 2),
        [
            (date(2026, 10, 18), utc(2026, 10, 18, 0, 30)),
            (date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),
            (date(2026, 11, 1), utc(2026, 11, 1, 1, 30)),
        ],
    ),
    "every 2 weeks on Sat at 09:00 from the week of 16 Mar in London": (
        {"kind": "every_n_weeks", "interval": 2, "weekdays": ["Saturday"], "anchor": "2026-03-16", "due_time": "09:00"},
        LONDON,
        utc(2026, 3, 1),
        utc(2026, 5, 1),
        [
            (date(2026, 3, 21), utc(2026, 3, 21, 9)),
            (date(2026, 4, 4), utc(2026, 4, 4, 8)),
            (date(2026, 4, 18), utc(2026, 4, 18, 8)),
        ],
    ),
    "every 2 weeks on Sun at 01:30 from 23 Mar in London: 29 Mar's 01:30 does not exist": (
        {"kind": "every_n_weeks", "interval": 2, "weekdays": [6], "anchor": "2026-03-23", "due_time": "01:30"},
        LONDON,
        utc(2026, 3, 1),
        utc(2026, 4, 20),
        [
            (date(2026, 3, 29), utc(2026, 3, 29, 1, 0)),
            (date(2026, 4, 12), utc(2026, 4, 12, 0, 30)),
        ],
    ),
    "monthly on the 31st at 18:00 in Sydney: the last day of shorter months": (
        {"kind": "monthly_day", "day_of_month": 31, "due_time": "18:00"},
        SYDNEY,
        utc(2026, 2, 1),
        utc(2026, 6, 1),
        [
            (date(2026, 2, 28), utc(2026, 2, 28, 7)),
            (date(2026, 3, 31), utc(2026, 3, 31, 7)),
            (date(2026, 4, 30), utc(2026, 4, 30, 8)),
            (date(2026, 5, 31), utc(2026, 5, 31, 8)),
        ],
    ),
    "monthly on the 15th, date-only, in Kolkata": (
        {"kind": "monthly_day", "day_of_month": 15},
        KOLKATA,
        utc(2026, 1, 1),
        utc(2026, 3, 1),
        [
            (date(2026, 1, 15), utc(2026, 1, 15, 18, 30)),
            (date(2026, 2, 15), utc(2026, 2, 15, 18, 30)),
        ],
    ),
    "monthly on the second Saturday at 10:00 in New York": (
        {"kind": "monthly_nth_weekday", "nth": 2, "weekdays": ["sat"], "due_time": "10:00"},
        NEW_YORK,
        utc(2026, 2, 1),
        utc(2026, 5, 1),
        [
            (date(2026, 2, 14), utc(2026, 2, 14, 15)),
            (date(2026, 3, 14), utc(2026, 3, 14, 14)),
            (date(2026, 4, 11), utc(2026, 4, 11, 14)),
        ],
    ),
    "monthly on the second Sunday at 02:30 in New York: 8 Mar is in the gap": (
        {"kind": "monthly_nth_weekday", "nth": 2, "weekdays": [6], "due_time": "02:30"},
        NEW_YORK,
        utc(2026, 2, 1),
        utc(2026, 5, 1),
        [
            (date(2026, 2, 8), utc(2026, 2, 8, 7, 30)),
            (date(2026, 3, 8), utc(2026, 3, 8, 7, 0)),
            (date(2026, 4, 12), utc(2026, 4, 12, 6, 30)),
        ],
    ),
    "monthly on the first Sunday at 01:30 in New York: 1 Nov is in the overlap": (
        {"kind": "monthly_nth_weekday", "nth": 1, "weekdays": ["sun"], "due_time": "01:30"},
        NEW_YORK,
        utc(2026, 10, 1),
        utc(2026, 12, 31),
        [
            (date(2026, 10, 4), utc(2026, 10, 4, 5, 30)),
            (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
            (date(2026, 12, 6), utc(2026, 12, 6, 6, 30)),
        ],
    ),
    "monthly on the fifth Sunday, date-only, in Sydney: April has none": (
        {"kind": "monthly_nth_weekday", "nth": 5, "weekdays": [6]},
        SYDNEY,
        utc(2026, 3, 1),
        utc(2026, 6, 2),
        [
            (date(2026, 3, 29), utc(2026, 3, 29, 13)),
            (date(2026, 5, 31), utc(2026, 5, 31, 14)),
        ],
    ),
    "monthly on the last Sunday at 01:30 in London: both changes": (
        {"kind": "monthly_nth_weekday", "nth": -1, "weekdays": [6], "due_time": "01:30"},
        LONDON,
        utc(2026, 3, 1),
        utc(2026, 11, 1),
        [
            (date(2026, 3, 29), utc(2026, 3, 29, 1, 0)),
            (date(2026, 4, 26), utc(2026, 4, 26, 0, 30)),
            (date(2026, 5, 31), utc(2026, 5, 31, 0, 30)),
            (date(2026, 6, 28), utc(2026, 6, 28, 0, 30)),
            (date(2026, 7, 26), utc(2026, 7, 26, 0, 30)),
            (date(2026, 8, 30), utc(2026, 8, 30, 0, 30)),
            (date(2026, 9, 27), utc(2026, 9, 27, 0, 30)),
            (date(2026, 10, 25), utc(2026, 10, 25, 0, 30)),
        ],
    ),
    "monthly on the last day at 21:00 in Kolkata": (
        {"kind": "monthly_last_day", "due_time": "21:00"},
        KOLKATA,
        utc(2026, 1, 1),
        utc(2026, 4, 1),
        [
            (date(2026, 1, 31), utc(2026, 1, 31, 15, 30)),
            (date(2026, 2, 28), utc(2026, 2, 28, 15, 30)),
            (date(2026, 3, 31), utc(2026, 3, 31, 15, 30)),
        ],
    ),
    "monthly on the last day, date-only, in London: BST then GMT midnights": (
        {"kind": "monthly_last_day"},
        LONDON,
        utc(2026, 9, 1),
        utc(2026, 12, 1),
        [
            (date(2026, 9, 30), utc(2026, 9, 30, 23)),
            (date(2026, 10, 31), utc(2026, 11, 1, 0)),
        ],
    ),
    "every year on 29 Feb, date-only, in Kolkata: 28 Feb in common years": (
        {"kind": "yearly", "month": 2, "day_of_month": 29},
        KOLKATA,
        utc(2026, 1, 1),
        utc(2029, 1, 1),
        [
            (date(2026, 2, 28), utc(2026, 2, 28, 18, 30)),
            (date(2027, 2, 28), utc(2027, 2, 28, 18, 30)),
            (date(2028, 2, 29), utc(2028, 2, 29, 18, 30)),
        ],
    ),
    "every year on 1 Nov at 01:30 in New York: 2026's is in the overlap, 2027's is not": (
        {"kind": "yearly", "month": 11, "day_of_month": 1, "due_time": "01:30"},
        NEW_YORK,
        utc(2026, 1, 1),
        utc(2028, 1, 1),
        [
            (date(2026, 11, 1), utc(2026, 11, 1, 5, 30)),
            (date(2027, 11, 1), utc(2027, 11, 1, 5, 30)),
        ],
    ),
    "daily in a season that wraps the new year (Nov-Feb), date-only, in Kolkata": (
        {"kind": "daily", "season": {"start": "11-01", "end": "02-28"}},
        KOLKATA,
        utc(2026, 2, 27),
        utc(2026, 3, 3),
        [
            (date(2026, 2, 27), utc(2026, 2, 27, 18, 30)),
            (date(2026, 2, 28), utc(2026, 2, 28, 18, 30)),
        ],
    ),
    "every Sat at 09:00 in a season (Apr-Oct) in Sydney": (
        {"kind": "weekly", "weekdays": [5], "due_time": "09:00", "season": {"start": "04-01", "end": "10-31"}},
        SYDNEY,
        utc(2026, 3, 20),
        utc(2026, 4, 12),
        [
            (date(2026, 4, 4), utc(2026, 4, 3, 22)),
            (date(2026, 4, 11), utc(2026, 4, 10, 23)),
        ],
    ),
}


@pytest.mark.parametrize(("fields", "zone", "start", "end", "expected"), EVERY_KIND.values(), ids=EVERY_KIND.keys())
def test_every_kind_is_due_at_the_hand_checked_instants(fields, zone, start, end, expected):
    assert due(spec(**fields), zone, start, end) == expected


def test_a_window_is_half_open_and_next_due_is_strictly_after():
    daily = spec(kind="daily", due_time="18:00")
    # 6 Mar 18:00 EST is 23:00 UTC: in a window that starts then, not in one that ends then.
    assert due(daily, NEW_YORK, utc(2026, 3, 6, 23), utc(2026, 3, 7)) == [(date(2026, 3, 6), utc(2026, 3, 6, 23))]
    assert due(daily, NEW_YORK, utc(2026, 3, 6), utc(2026, 3, 6, 23)) == []
    assert due(daily, NEW_YORK, utc(2026, 3, 8), utc(2026, 3, 7)) == []
    following = next_due(daily, NEW_YORK, utc(2026, 3, 7, 23))
    assert following is not None
    assert (following.on, following.due_at) == (date(2026, 3, 8), utc(2026, 3, 8, 22))


def test_lead_time_and_grace_are_elapsed_hours_across_a_dst_change():
    [item] = occurrences(
        spec(kind="daily", due_time="18:00", lead_time_hours=24, grace_hours=12),
        NEW_YORK,
        utc(2026, 3, 8),
        utc(2026, 3, 9),
    )
    assert item.due_at == utc(2026, 3, 8, 22)  # 18:00 EDT
    assert item.due_soon_from == utc(2026, 3, 7, 22)  # 17:00 EST the day before: 24 hours, not "same time"
    assert item.overdue_after == utc(2026, 3, 9, 10)


def test_without_lead_time_or_grace_all_three_instants_are_the_due_instant():
    [item] = occurrences(spec(kind="monthly_last_day"), KOLKATA, utc(2026, 1, 1), utc(2026, 2, 1))
    assert item.due_soon_from == item.due_at == item.overdue_after == utc(2026, 1, 31, 18, 30)


def test_next_due_finds_the_next_occurrence_even_months_ahead():
    fifth_sunday = spec(kind="monthly_nth_weekday", nth=5, weekdays=[6], due_time="08:00")
    found = next_due(fifth_sunday, SYDNEY, utc(2026, 4, 1))
    assert found is not None
    assert (found.on, found.due_at) == (date(2026, 5, 31), utc(2026, 5, 30, 22))  # 08:00 AEST
    saturday = next_due(spec(kind="weekly", weekdays=["sat"], due_time="09:00"), NEW_YORK, utc(2026, 11, 1))
    assert saturday is not None and saturday.due_at == utc(2026, 11, 7, 14)  # 09:00 EST


def test_next_due_is_none_when_nothing_comes():
    assert next_due(spec(kind="once", due_date="2026-03-08"), NEW_YORK, utc(2026, 3, 10)) is None
    assert next_due(spec(kind="once"), NEW_YORK, utc(2026, 3, 10)) is None
    # The 31st is 28 or 29 Feb in February, and the season stops on 27 Feb: they never meet.
    never = spec(kind="monthly_day", day_of_month=31, season={"start": "02-01", "end": "02-27"})
    assert next_due(never, LONDON, utc(2026, 1, 1)) is None


def test_a_schedule_is_not_due_before_its_anchor():
    weekly = spec(kind="weekly", weekdays=[0], anchor="2026-03-10")
    assert list(due_dates(weekly, date(2026, 3, 1), date(2026, 3, 31))) == [
        date(2026, 3, 16),
        date(2026, 3, 23),
        date(2026, 3, 30),
    ]


def test_after_completion_counts_from_the_local_day_it_was_done():
    every_three = spec(kind="after_completion", interval=3, due_time="18:00")
    # Done at 03:00 UTC on 6 Mar, which is still 5 Mar (22:00 EST) in New York: due 8 Mar, 18:00 EDT.
    item = due_after(every_three, NEW_YORK, utc(2026, 3, 6, 3))
    assert (item.on, item.due_at) == (date(2026, 3, 8), utc(2026, 3, 8, 22))
    # Date-only: done 29 Oct, due by the end of 1 Nov, midnight EST.
    item = due_after(spec(kind="after_completion", interval=3), NEW_YORK, utc(2026, 10, 29, 12))
    assert (item.on, item.due_at) == (date(2026, 11, 1), utc(2026, 11, 2, 5))
    # 0 days, as today's cooldown 0: the same day, here at the first 02:30 of Sydney's 5 Apr.
    item = due_after(spec(kind="after_completion", interval=0, due_time="02:30"), SYDNEY, utc(2026, 4, 4, 14))
    assert (item.on, item.due_at) == (date(2026, 4, 5), utc(2026, 4, 4, 15, 30))


def test_after_completion_out_of_season_waits_for_the_season():
    mow = spec(kind="after_completion", interval=7, season={"start": "04-01", "end": "10-31"})
    item = due_after(mow, LONDON, utc(2026, 10, 28, 12))  # 4 Nov is out of season
    assert (item.on, item.due_at) == (date(2027, 4, 1), utc(2027, 4, 1, 23))  # midnight BST


def test_after_completion_has_no_dates_of_its_own():
    assert occurrences(spec(kind="after_completion", interval=2), LONDON, utc(2026, 1, 1), utc(2027, 1, 1)) == []


# --- validation ----------------------------------------------------------------------------------


def test_a_full_schedule_is_read_with_its_defaults_and_weekday_names():
    read = spec(kind="every_n_weeks", interval=2, weekdays=["Fri", "monday", 2, "mon"], anchor="2026-12-01")
    assert read.kind is ScheduleKind.every_n_weeks
    assert read.weekdays == (0, 2, 4)  # names or numbers, duplicates once, in week order
    assert read.anchor == date(2026, 12, 1)
    assert (read.lead_time_hours, read.grace_hours, read.missed_penalty_cents) == (0, 0, 0)
    assert read.rotation is Rotation.none
    assert spec(kind="daily", due_time="07:05", rotation="least_done").due_time == time(7, 5)
    # A client may send every field, the ones its kind does not read as null.
    nulls = dict.fromkeys(("interval", "weekdays", "day_of_month", "nth", "month", "due_date", "anchor"))
    assert spec(kind="daily", due_time=None, season=None, **nulls) == spec(kind="daily")


def test_the_longest_day_of_month_and_29_february_are_accepted():
    assert spec(kind="monthly_day", day_of_month=31).day_of_month == 31
    assert spec(kind="yearly", month=2, day_of_month=29).day_of_month == 29
    assert spec(kind="after_completion", interval=0).interval == 0


REFUSED = {
    "an unknown kind": ({"kind": "hourly"}, ("kind",), "Input should be"),
    "a weekly schedule without weekdays": ({"kind": "weekly"}, ("weekdays",), "kind weekly needs weekdays"),
    "an empty list of weekdays": ({"kind": "weekly", "weekdays": []}, ("weekdays",), "needs weekdays"),
    "a weekday out of range": ({"kind": "weekly", "weekdays": [7]}, ("weekdays",), "0 (Monday) to 6 (Sunday)"),
    "an unknown weekday name": ({"kind": "weekly", "weekdays": ["funday"]}, ("weekdays",), "or its name"),
    "weekdays as one string": ({"kind": "weekly", "weekdays": "mon"}, ("weekdays",), "is a list"),
    "a weekday as true": ({"kind": "weekly", "weekdays": [True]}, ("weekdays",), "0 (Monday) to 6"),
    "every N days without an anchor": ({"kind": "every_n_days", "interval": 3}, ("anchor",), "the first day it is due"),
    "every N days without an interval": (
        {"kind": "every_n_days", "anchor": "2026-12-01"},
        ("interval",),
        "needs interval",
    ),
    "an interval of 0 days": (
        {"kind": "every_n_days", "interval": 0, "anchor": "2026-12-01"},
        ("interval",),
        "must be 1 to 365",
    ),
    "an interval of 53 weeks": (
        {"kind": "every_n_weeks", "interval": 53, "weekdays": [1], "anchor": "2026-12-01"},
        ("interval",),
        "must be 1 to 52",
    ),
    "an interval as a string": (
        {"kind": "every_n_days", "interval": "3", "anchor": "2026-12-01"},
        ("interval",),
        "valid integer",
    ),
    "an interval as a float": (
        {"kind": "every_n_days", "interval": 3.0, "anchor": "2026-12-01"},
        ("interval",),
        "valid integer",
    ),
    "an interval on a daily schedule": (
        {"kind": "daily", "interval": 2},
        ("interval",),
        "does not apply to kind daily",
    ),
    "a due date on a weekly schedule": (
        {"kind": "weekly", "weekdays": [1], "due_date": "2026-12-04"},
        ("due_date",),
        "does not apply to kind weekly",
    ),
    "an anchor on a one-off": ({"kind": "once", "anchor": "2026-12-04"}, ("anchor",), "does not apply to kind once"),
    "a season on a one-off": (
        {"kind": "once", "season": {"start": "04-01", "end": "10-31"}},
        ("season",),
        "does not apply to kind once",
    ),
    "day 32": ({"kind": "monthly_day", "day_of_month": 32}, ("day_of_month",), "less than or equal to 31"),
    "day 0": ({"kind": "monthly_day", "day_of_month": 0}, ("day_of_month",), "greater than or equal to 1"),
    "nth 0": ({"kind": "monthly_nth_weekday", "nth": 0, "weekdays": [5]}, ("nth",), "1 to 5"),
    "nth 6": ({"kind": "monthly_nth_weekday", "nth": 6, "weekdays": [5]}, ("nth",), "-1 (the last)"),
    "nth without a weekday": ({"kind": "monthly_nth_weekday", "nth": 2}, ("weekdays",), "needs weekdays"),
    "nth with two weekdays": (
        {"kind": "monthly_nth_weekday", "nth": 2, "weekdays": [5, 6]},
        ("weekdays",),
        "exactly one weekday",
    ),
    "yearly without a month": ({"kind": "yearly", "day_of_month": 4}, ("month",), "needs month"),
    "30 February": ({"kind": "yearly", "month": 2, "day_of_month": 30}, ("day_of_month",), "Feb has 29 days, not 30"),
    "31 April": ({"kind": "yearly", "month": 4, "day_of_month": 31}, ("day_of_month",), "Apr has 30 days, not 31"),
    "month 13": ({"kind": "yearly", "month": 13, "day_of_month": 1}, ("month",), "less than or equal to 12"),
    "a due time without its leading zero": ({"kind": "daily", "due_time": "7:30"}, ("due_time",), "HH:MM"),
    "a due time with seconds": ({"kind": "daily", "due_time": "07:30:00"}, ("due_time",), "HH:MM"),
    "a due time of 24:00": ({"kind": "daily", "due_time": "24:00"}, ("due_time",), "24-hour clock"),
    "a due time in am/pm": ({"kind": "daily", "due_time": "6 pm"}, ("due_time",), "HH:MM"),
    "a due date as a timestamp": ({"kind": "once", "due_date": 1764547200}, ("due_date",), "YYYY-MM-DD"),
    "a due date and time": ({"kind": "once", "due_date": "2026-12-04T18:00"}, ("due_date",), "YYYY-MM-DD"),
    "a due date not in the calendar": ({"kind": "once", "due_date": "2026-02-29"}, ("due_date",), "not a day"),
    "a due date too far ahead": ({"kind": "once", "due_date": "3026-01-01"}, ("due_date",), "between the years"),
    "a season day that does not exist": (
        {"kind": "daily", "season": {"start": "02-30", "end": "03-31"}},
        ("season", "start"),
        "02-30 is not a day of the year",
    ),
    "a season written as a month": (
        {"kind": "daily", "season": {"start": "4", "end": "10-31"}},
        ("season", "start"),
        "MM-DD",
    ),
    "a season without its end": ({"kind": "daily", "season": {"start": "04-01"}}, ("season", "end"), "Field required"),
    "a negative lead time": (
        {"kind": "daily", "lead_time_hours": -1},
        ("lead_time_hours",),
        "greater than or equal to 0",
    ),
    "a lead time over a month": ({"kind": "daily", "lead_time_hours": 745}, ("lead_time_hours",), "less than or equal"),
    "a lead time as true": ({"kind": "daily", "lead_time_hours": True}, ("lead_time_hours",), "valid integer"),
    "a grace over a month": ({"kind": "daily", "grace_hours": 10_000}, ("grace_hours",), "less than or equal"),
    "a negative penalty": ({"kind": "daily", "missed_penalty_cents": -5}, ("missed_penalty_cents",), "greater than"),
    "a penalty in decimals": ({"kind": "daily", "missed_penalty_cents": 2.5}, ("missed_penalty_cents",), "integer"),
    "an unknown rotation": ({"kind": "daily", "rotation": "fair"}, ("rotation",), "Input should be"),
    "a misspelt field": ({"kind": "weekly", "weekday": [1], "weekdays": [1]}, ("weekday",), "Extra inputs"),
    "text with NUL": ({"kind": "daily", "rotation": "none\x00"}, ("rotation",), "NUL"),
    "a due time with NUL": ({"kind": "daily", "due_time": "07:\x0030"}, ("due_time",), "HH:MM"),
}


@pytest.mark.parametrize(("fields", "where", "says"), REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_schedule_is_refused_at_its_field_with_a_clear_message(fields, where, says):
    with pytest.raises(ValidationError) as refused:
        ScheduleSpec.model_validate(fields)
    errors = refused.value.errors()
    assert [error["loc"] for error in errors][:1] == [where], errors
    assert says in errors[0]["msg"], errors


# --- plain words ---------------------------------------------------------------------------------

DESCRIBED = {
    "Every day": {"kind": "daily"},
    "Every 3 days": {"kind": "every_n_days", "interval": 3, "anchor": "2026-12-01"},
    "Every Mon, Wed and Fri by 6 pm": {"kind": "weekly", "weekdays": [4, 0, 2], "due_time": "18:00"},
    "Every Sat and Sun by 9:30 am": {"kind": "weekly", "weekdays": ["sat", "sun"], "due_time": "09:30"},
    "Every 2 weeks on Sat": {"kind": "every_n_weeks", "interval": 2, "weekdays": [5], "anchor": "2026-12-01"},
    "Every Tue": {"kind": "every_n_weeks", "interval": 1, "weekdays": [1], "anchor": "2026-12-01"},
    "Monthly on the 15th": {"kind": "monthly_day", "day_of_month": 15},
    "Monthly on the 1st by noon": {"kind": "monthly_day", "day_of_month": 1, "due_time": "12:00"},
    "Monthly on the 22nd": {"kind": "monthly_day", "day_of_month": 22},
    "Monthly on the 13th by 12 am": {"kind": "monthly_day", "day_of_month": 13, "due_time": "00:00"},
    "Monthly on the 31st (or the last day)": {"kind": "monthly_day", "day_of_month": 31},
    "Monthly on the second Saturday": {"kind": "monthly_nth_weekday", "nth": 2, "weekdays": ["sat"]},
    "Monthly on the last Friday": {"kind": "monthly_nth_weekday", "nth": -1, "weekdays": [4]},
    "Monthly on the last day": {"kind": "monthly_last_day"},
    "Every year on 4 Jul": {"kind": "yearly", "month": 7, "day_of_month": 4},
    "Every year on 29 Feb (28 Feb in other years)": {"kind": "yearly", "month": 2, "day_of_month": 29},
    "3 days after it is done": {"kind": "after_completion", "interval": 3},
    "1 day after it is done": {"kind": "after_completion", "interval": 1},
    "Again as soon as it is done": {"kind": "after_completion", "interval": 0},
    "Once, due Fri 4 Dec by 6 pm": {"kind": "once", "due_date": "2026-12-04", "due_time": "18:00"},
    "Once": {"kind": "once"},
    "Every day by 6:05 am (Apr–Oct)": {
        "kind": "daily",
        "due_time": "06:05",
        "season": {"start": "04-01", "end": "10-31"},
    },
    "Every Sat (Nov–Feb)": {"kind": "weekly", "weekdays": [5], "season": {"start": "11-01", "end": "02-29"}},
    "Every day (15 Apr–1 Oct)": {"kind": "daily", "season": {"start": "04-15", "end": "10-01"}},
}


@pytest.mark.parametrize(("text", "fields"), list(DESCRIBED.items()), ids=DESCRIBED.keys())
def test_describe_reads_as_plain_english(text, fields):
    assert describe(spec(**fields)) == text


def test_a_schedule_written_out_reads_back_as_itself():
    written = spec(kind="weekly", weekdays=["fri", "mon"], due_time="18:05", season={"start": "11-01", "end": "02-29"})
    data = written.model_dump(mode="json")
    assert data["due_time"] == "18:05" and data["weekdays"] == [0, 4]
    assert ScheduleSpec.model_validate(data) == written
    assert "ScheduleKind" in str(ScheduleSpec.model_json_schema())


def test_a_naive_instant_is_refused_rather_than_read_in_the_servers_zone():
    daily = spec(kind="daily")
    with pytest.raises(ValueError, match="aware"):
        occurrences(daily, LONDON, datetime(2026, 3, 1), utc(2026, 3, 2))  # noqa: DTZ001 (the naive instant is the point)
    with pytest.raises(ValueError, match="aware"):
        next_due(daily, LONDON, datetime(2026, 3, 1))  # noqa: DTZ001 (the naive instant is the point)
    with pytest.raises(ValueError, match="aware"):
        due_after(spec(kind="after_completion", interval=1), LONDON, datetime(2026, 3, 1))  # noqa: DTZ001 (as above)
