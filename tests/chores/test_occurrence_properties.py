"""Properties of stored occurrences (hypothesis), for random schedules of every calendar kind in
zones with odd changes: what the service stores is the engine's due dates, in order, each once,
none skipped; and a time step run often or once at the end leaves exactly the same rows.

SQLite only: the properties are the service's, not the database's (the concurrency of the same
steps on PostgreSQL and MariaDB is in test_time_step.py), and each example makes chores afresh.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, update

from chores_tracker import clock
from chores_tracker.chores import service
from chores_tracker.chores.models import Chore, ChoreOccurrence
from chores_tracker.chores.schedule import ScheduleKind, ScheduleSpec, due_dates, occurrence
from chores_tracker.chores.schemas import ChoreCreate
from chores_tracker.chores.timestep import run_time_step
from chores_tracker.families.models import Family
from chores_tracker.identity.models import User
from chores_tracker.ledger.models import LedgerEntry
from tests.support.family import family
from tests.unit.test_schedule_properties import ZONES, schedules

CALENDAR_KINDS = [kind for kind in ScheduleKind if kind != ScheduleKind.after_completion]
START = datetime(2026, 2, 20, 15, 0, tzinfo=UTC)


@pytest.fixture
def home(app, api, database):
    if database.backend != "sqlite":
        pytest.skip("the properties are the service's: SQLite is enough (concurrency: test_time_step.py)")
    return family(api, kids=1)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@pytest.mark.parametrize("kind", CALENDAR_KINDS)
def test_stored_occurrences_are_the_engines_dates_each_once_however_often_the_step_runs(app, home, kind, data):
    zone_name = data.draw(st.sampled_from(ZONES))
    spec = data.draw(schedules(kind, START.date()))
    if kind != ScheduleKind.once:
        spec = spec.model_copy(update={"missed_penalty_cents": 10})
    steps = sorted(data.draw(st.lists(st.integers(1, 40 * 24), min_size=1, max_size=5)))
    _same_rows_however_often_the_step_runs(app, home, zone_name, spec, steps)


def test_a_step_at_the_very_instant_an_occurrence_becomes_due_makes_it_due(app, home):
    """Found by the property above: the last day of March, due by midnight in New York, made by a
    step that ran at that midnight exactly, stayed upcoming, while a step run earlier made it and
    the later one moved it on."""
    spec = ScheduleSpec(kind=ScheduleKind.monthly_last_day, due_time="00:00", missed_penalty_cents=10)
    _same_rows_however_often_the_step_runs(app, home, "America/New_York", spec, [206, 925])


def _same_rows_however_often_the_step_runs(app, home, zone_name: str, spec: ScheduleSpec, steps: list[int]) -> None:
    with app.state.session_factory() as session:
        session.get(Family, session.get(User, home.parent.id).family_id).timezone = zone_name
        # The examples before this one's chores are done with: the step passes them by.
        session.execute(update(Chore).where(Chore.deleted_at.is_(None)).values(deleted_at=START))
        session.commit()
    end = START + timedelta(hours=steps[-1])
    body = {
        "title": spec.kind.value,
        "reward": "1.00",
        "assignee_ids": [home.kids[0].id],
        "schedule": spec.model_dump(),
    }

    def made() -> int:
        with app.state.session_factory() as session, clock.told(START):
            return service.create_chore(session, session.get(User, home.parent.id), ChoreCreate(**body)).id

    often = made()
    for hours in steps:
        run_time_step(app.state.session_factory, START + timedelta(hours=hours))
    once = made()
    run_time_step(app.state.session_factory, end)

    def rows(chore_id: int) -> list[tuple]:
        with app.state.session_factory() as session:
            found = session.scalars(
                select(ChoreOccurrence).where(ChoreOccurrence.chore_id == chore_id).order_by(ChoreOccurrence.due_at)
            )
            return [(r.due_on, r.due_at, r.overdue_at, r.missed_at, r.state) for r in found]

    stepwise, caught_up = rows(often), rows(once)
    assert stepwise == caught_up
    zone = ZoneInfo(zone_name)
    days = [row[0] for row in stepwise]
    assert days == sorted(days) and len(set(days)) == len(days)  # in order, each once
    if days:
        # None skipped: every date the engine gives from the start through the last one stored.
        engine = [
            day
            for day in due_dates(spec, START.astimezone(zone).date() - timedelta(days=2), days[-1])
            if occurrence(spec, day, zone).due_at > START
        ]
        assert days == engine
        assert all(row[1] == occurrence(spec, row[0], zone).due_at for row in stepwise)
    with app.state.session_factory() as session:
        charged = {
            chore_id: len(list(session.scalars(select(LedgerEntry.id).where(LedgerEntry.chore_id == chore_id))))
            for chore_id in (often, once)
        }
    missed = sum(1 for row in stepwise if row[4] == "missed")
    assert charged == {often: missed, once: missed}
