"""Quiet hours: when a delivery may go out, given the member's window and the family's zone. Pure."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from chores_tracker import timezones


def parse(value: str) -> time:
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))


def release_at(now: datetime, zone_name: str | None, start: str | None, end: str | None) -> datetime:
    """`now` when it is not quiet; otherwise the instant the quiet window ends (aware UTC)."""
    if not start or not end or start == end:
        return now
    zone = timezones.zone(zone_name)
    local = now.astimezone(zone)
    begins, ends = parse(start), parse(end)
    moment = local.time()
    if begins < ends:
        quiet = begins <= moment < ends
        end_day = local.date()
    else:  # across midnight, e.g. 21:00 to 07:00
        quiet = moment >= begins or moment < ends
        end_day = local.date() + timedelta(days=1) if moment >= begins else local.date()
    if not quiet:
        return now
    # The wall-clock end in the family's zone (fold 0 where a clock change repeats an hour).
    return datetime.combine(end_day, ends, tzinfo=zone).astimezone(UTC)
