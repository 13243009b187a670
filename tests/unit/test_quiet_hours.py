"""Quiet hours: a delivery waits until the member's family-local window ends, across midnight and
clock changes; outside the window, or without one, it goes now."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chores_tracker.notifications.quiet import release_at


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("now", "zone", "start", "end", "expected"),
    [
        ("2026-12-02T12:00", "UTC", None, None, "2026-12-02T12:00"),
        ("2026-12-02T12:00", "UTC", "22:00", "22:00", "2026-12-02T12:00"),
        ("2026-12-02T12:00", "UTC", "21:00", "07:00", "2026-12-02T12:00"),
        ("2026-12-02T21:30", "UTC", "21:00", "07:00", "2026-12-03T07:00"),
        ("2026-12-02T06:59", "UTC", "21:00", "07:00", "2026-12-02T07:00"),
        ("2026-12-02T07:00", "UTC", "21:00", "07:00", "2026-12-02T07:00"),
        ("2026-12-02T13:30", "UTC", "13:00", "15:00", "2026-12-02T15:00"),
        # New York is UTC-5 in December: 02:30 UTC is 21:30 there, quiet until 07:00 local = 12:00 UTC.
        ("2026-12-02T02:30", "America/New_York", "21:00", "07:00", "2026-12-02T12:00"),
        # The night the clocks go back (1 Nov 2026): 07:00 local is then UTC-5 = 12:00 UTC.
        ("2026-11-01T03:00", "America/New_York", "22:00", "07:00", "2026-11-01T12:00"),
    ],
)
def test_a_delivery_waits_for_the_end_of_quiet_hours(now, zone, start, end, expected):
    assert release_at(utc(now), zone, start, end) == utc(expected)
