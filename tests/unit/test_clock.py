"""clock.told: the one clock, set to a past instant for a block (the demo family's history)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chores_tracker import clock


def test_within_the_block_now_is_the_instant_told_in_utc_whole_seconds_and_after_it_the_real_time():
    paris = timezone(timedelta(hours=1))
    with clock.told(datetime(2026, 11, 3, 18, 30, 5, 900_000, tzinfo=paris)):
        assert clock.now() == datetime(2026, 11, 3, 17, 30, 5, tzinfo=UTC)
        assert clock.now().tzinfo is UTC
    real = clock.now()
    assert abs(real - datetime.now(UTC)) < timedelta(seconds=5)


def test_blocks_nest_and_each_gives_back_the_one_around_it():
    outer, inner = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    with clock.told(outer):
        with clock.told(inner):
            assert clock.now() == inner
        assert clock.now() == outer


def test_an_instant_without_a_time_zone_is_refused():
    with pytest.raises(ValueError, match="naive"), clock.told(datetime(2026, 1, 1)):  # noqa: DTZ001 (the point)
        pass


def test_a_clock_file_sets_now_for_tests_and_the_real_clock_runs_without_it(tmp_path):
    path = tmp_path / "now"
    clock.follow_file(path)
    try:
        assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)  # no file yet: the real clock
        path.write_text("2027-01-04T18:30:05.700-06:00\n")
        assert clock.now() == datetime(2027, 1, 5, 0, 30, 5, tzinfo=UTC)
        path.write_text("2027-07-05T23:00:00+00:00")
        assert clock.now() == datetime(2027, 7, 5, 23, 0, tzinfo=UTC)
        with clock.told(datetime(2026, 1, 1, tzinfo=UTC)):
            assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)  # told still wins within its block
        path.write_text("2027-07-05T23:00:00")
        with pytest.raises(ValueError, match="offset"):
            clock.now()
    finally:
        clock.follow_file(None)
    assert abs(clock.now() - datetime.now(UTC)) < timedelta(seconds=5)
