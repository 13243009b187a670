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
