"""Report periods and calendar buckets, as pure functions: no database, no app."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from chores_tracker.periods import Period, add_months, as_utc, month_start, parse_bound, week_start

UTC = UTC


def test_a_date_bound_covers_the_whole_utc_day_on_both_sides():
    period = Period.from_bounds(date(2026, 3, 1), date(2026, 3, 31))
    assert period.start == datetime(2026, 3, 1, tzinfo=UTC)
    assert period.end == datetime(2026, 4, 1, tzinfo=UTC)


def test_an_instant_bound_is_kept_and_a_naive_one_is_taken_as_utc():
    aware = datetime(2026, 3, 1, 12, 30, tzinfo=timezone(timedelta(hours=2)))
    period = Period.from_bounds(aware, datetime(2026, 3, 2, 8, 0))  # noqa: DTZ001 (the naive bound is the point)
    assert period.start == datetime(2026, 3, 1, 10, 30, tzinfo=UTC)
    assert period.end == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_missing_bounds_leave_the_period_open():
    assert Period.from_bounds(None, None) == Period(None, None)
    assert not Period().is_empty()


def test_a_period_that_ends_before_it_starts_is_empty():
    assert Period.from_bounds(date(2026, 3, 2), date(2026, 3, 1)).is_empty()
    assert not Period.from_bounds(date(2026, 3, 2), date(2026, 3, 2)).is_empty()


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 11, 30), date(2026, 11, 30)),  # a Monday is its own week's start
        (date(2026, 12, 6), date(2026, 11, 30)),  # Sunday belongs to the week that began on Monday
        (date(2027, 1, 1), date(2026, 12, 28)),  # weeks cross the year boundary
    ],
)
def test_a_week_starts_on_its_monday(day, monday):
    assert week_start(day) == monday


def test_months_start_on_their_first_day_and_add_across_years():
    assert month_start(date(2026, 2, 28)) == date(2026, 2, 1)
    assert add_months(date(2026, 11, 15), 2) == date(2027, 1, 1)
    assert add_months(date(2026, 1, 31), -1) == date(2025, 12, 1)
    assert add_months(date(2026, 5, 5), 0) == date(2026, 5, 1)


def test_as_utc_converts_aware_values_and_labels_naive_ones():
    assert as_utc(datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=-5)))) == datetime(
        2026, 6, 1, 17, tzinfo=UTC
    )
    assert as_utc(datetime(2026, 6, 1, 12)).tzinfo is UTC  # noqa: DTZ001 (the naive value is the point)


def test_query_bounds_are_a_day_or_an_instant():
    assert parse_bound("2026-03-01") == date(2026, 3, 1)
    assert parse_bound("2026-03-01T10:00:00+00:00") == datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026-13-01", "0001-01-01", "9999-12-31"])
def test_query_bounds_that_are_not_dates_or_out_of_range_are_refused(text):
    with pytest.raises(ValueError):
        parse_bound(text)
