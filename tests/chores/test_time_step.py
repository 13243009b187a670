"""The time step (chores.timestep.run_time_step): occurrences go due, overdue and missed with the
clock; a missed penalty is charged once, however often and however many runners run it; a run
missed for days loses and doubles nothing; paused children owe nothing; rotations take turns.

Chores are made through the service at a told instant (clock.told), and the step is run at chosen
instants, so every test says exactly when things happen.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from chores_tracker import clock
from chores_tracker.chores import pauses, service
from chores_tracker.chores.models import ChoreOccurrence
from chores_tracker.chores.schemas import ChoreCreate
from chores_tracker.chores.timestep import TimeStepSummary, run_time_step
from chores_tracker.identity.models import User
from chores_tracker.ledger.models import LedgerEntry
from tests.support.api import Api, Person
from tests.support.databases import clear_all_tables
from tests.support.family import family
from tests.support.time_step import RUNNERS, run_time_steps_at_once

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)  # a Monday morning, in a family on UTC
DAILY_6PM_FINE = {"kind": "daily", "due_time": "18:00", "grace_hours": 1, "missed_penalty_cents": 50}


def make_chore(app, parent: Person, at: datetime, **fields: object) -> int:
    body = {"title": "Dishes", "reward": "1.00", "assignment_mode": "single", "assignee_ids": [], **fields}
    with app.state.session_factory() as session, clock.told(at):
        return service.create_chore(session, session.get(User, parent.id), ChoreCreate(**body)).id


def states(app, chore_id: int) -> dict[date, tuple[str, int | None]]:
    with app.state.session_factory() as session:
        rows = session.execute(
            select(ChoreOccurrence.due_on, ChoreOccurrence.state, ChoreOccurrence.child_id).where(
                ChoreOccurrence.chore_id == chore_id
            )
        ).all()
    return {due_on: (state, child) for due_on, state, child in rows}


def penalties(app, child: Person) -> list[int]:
    with app.state.session_factory() as session:
        return list(
            session.scalars(
                select(LedgerEntry.amount_cents)
                .where(LedgerEntry.child_id == child.id, LedgerEntry.occurrence_id.is_not(None))
                .order_by(LedgerEntry.id)
            )
        )


def tick(app, at: datetime) -> TimeStepSummary:
    return run_time_step(app.state.session_factory, at)


def test_an_occurrence_goes_due_then_overdue_then_missed_and_is_charged_once(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    chore_id = make_chore(app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM_FINE)
    monday = MONDAY.date()
    assert states(app, chore_id)[monday] == ("upcoming", kid.id)

    assert tick(app, MONDAY + timedelta(minutes=1)).due == 1
    assert states(app, chore_id)[monday][0] == "due"
    tick(app, datetime(2027, 1, 4, 18, 59, tzinfo=UTC))
    assert states(app, chore_id)[monday][0] == "due"  # within the hour of grace
    assert tick(app, datetime(2027, 1, 4, 19, 0, tzinfo=UTC)).overdue == 1
    assert states(app, chore_id)[monday][0] == "overdue"
    assert penalties(app, kid) == []

    # Missed when the next one starts (Tuesday's local midnight): charged, once.
    missed = tick(app, datetime(2027, 1, 5, 0, 0, tzinfo=UTC))
    assert (missed.missed, missed.penalties, missed.penalty_cents) == (1, 1, 50)
    assert states(app, chore_id)[monday][0] == "missed"
    again = tick(app, datetime(2027, 1, 5, 0, 0, tzinfo=UTC))
    assert (again.due, again.overdue, again.missed, again.penalties) == (0, 0, 0, 0)
    assert penalties(app, kid) == [-50]
    assert api.get("/users/me/balance", kid).json()["adjustments"] == -0.5
    feed = api.get("/activities/recent", home.parent, params={"activity_type": "chore_missed"}).json()
    assert [item["activity_type"] for item in feed["activities"]] == ["chore_missed"]


def test_a_done_occurrence_is_never_missed(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    chore_id = make_chore(app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM_FINE)
    with app.state.session_factory() as session, clock.told(MONDAY + timedelta(hours=1)):
        from chores_tracker.chores import lifecycle

        lifecycle.complete_chore(session, session.get(User, kid.id), chore_id)
    tick(app, datetime(2027, 1, 5, 1, 0, tzinfo=UTC))
    assert states(app, chore_id)[MONDAY.date()][0] == "done"
    assert penalties(app, kid) == []


def test_a_run_missed_for_days_loses_and_doubles_nothing(app, api: Api):
    """One family's step runs twice a day for six weeks; another family with the same chore made at
    the same instant has its step run once, at the end. Both end alike: each day made once, missed
    once, charged once."""
    end = MONDAY + timedelta(days=42)
    steady = family(api, kids=1)
    steady_chore = make_chore(app, steady.parent, MONDAY, assignee_ids=[steady.kids[0].id], schedule=DAILY_6PM_FINE)
    at = MONDAY
    while at < end:
        at += timedelta(hours=12)
        tick(app, at)

    late = family(api, kids=1)
    late_chore = make_chore(app, late.parent, MONDAY, assignee_ids=[late.kids[0].id], schedule=DAILY_6PM_FINE)
    caught_up = tick(app, end)
    assert caught_up.made > 0 and caught_up.missed == 42

    def shape(chore_id: int) -> dict[date, str]:
        return {day: state for day, (state, _child) in states(app, chore_id).items()}

    assert shape(late_chore) == shape(steady_chore)
    assert sorted(day for day, state in shape(late_chore).items() if state == "missed") == _days(MONDAY.date(), 42)
    assert penalties(app, late.kids[0]) == penalties(app, steady.kids[0]) == [-50] * 42
    assert tick(app, end).missed == 0


def test_a_paused_child_has_nothing_due_and_pays_nothing(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    chore_id = make_chore(app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM_FINE)
    with app.state.session_factory() as session, clock.told(MONDAY):
        pauses.add_pause(session, session.get(User, home.parent.id), kid.id, date(2027, 1, 5), date(2027, 1, 6))
    # Days made after the pause (beyond the first horizon) for a pause later on are made skipped too.
    with app.state.session_factory() as session, clock.told(MONDAY):
        pauses.add_pause(session, session.get(User, home.parent.id), kid.id, date(2027, 2, 10), date(2027, 2, 10))
    tick(app, datetime(2027, 2, 12, 0, 0, tzinfo=UTC))
    found = states(app, chore_id)
    skipped = sorted(day for day, (state, _) in found.items() if state == "skipped")
    assert skipped == [date(2027, 1, 5), date(2027, 1, 6), date(2027, 2, 10)]
    missed_days = (date(2027, 2, 12) - date(2027, 1, 4)).days - len(skipped)  # through 11 Feb
    assert penalties(app, kid) == [-50] * missed_days


@pytest.mark.parametrize("rotation", ["round_robin", "least_done", "random"])
def test_a_rotation_gives_each_day_to_one_child_in_turn_and_skips_a_paused_one(app, api: Api, rotation):
    home = family(api, kids=3)
    first, second, third = (kid.id for kid in home.kids)
    with app.state.session_factory() as session, clock.told(MONDAY):
        pauses.add_pause(session, session.get(User, home.parent.id), second, date(2027, 1, 5), date(2027, 1, 5))
    chore_id = make_chore(
        app,
        home.parent,
        MONDAY,
        assignment_mode="multi_independent",
        assignee_ids=[first, second, third],
        schedule={"kind": "daily", "due_time": "18:00", "rotation": rotation},
    )
    turns = [child for _day, (_state, child) in sorted(states(app, chore_id).items())]
    assert len(turns) >= 28 and None not in turns
    assert turns[1] != second  # paused that day
    if rotation == "random":
        assert set(turns) == {first, second, third}
    else:
        assert turns[:5] == [first, third, first, second, third] if rotation == "round_robin" else True
        counts = {child: turns.count(child) for child in (first, second, third)}
        assert max(counts.values()) - min(counts.values()) <= 1  # everyone does their share
    # Each occurrence shows to its child only.
    mine = api.get("/occurrences", home.kids[0], params={"date_from": "2027-01-04", "date_to": "2027-01-31"}).json()
    assert mine and {item["child_id"] for item in mine} == {first}


# -- two runners at once, on the databases that can run them --------------------------------------


def test_concurrent_runs_charge_each_missed_penalty_once(server_app):
    from fastapi.testclient import TestClient

    api = Api(TestClient(server_app))
    homes = [family(api, kids=2) for _ in range(2)]
    for home in homes:
        for kid in home.kids:
            make_chore(server_app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM_FINE)
    for days in (3, 9, 40):  # the last one also makes occurrences beyond the first horizon, all at once
        at = MONDAY + timedelta(days=days)
        results = run_time_steps_at_once(server_app.state.session_factory, at)
        assert len(results) == RUNNERS
        with server_app.state.session_factory() as session:
            missed = session.scalar(select(func.count()).where(ChoreOccurrence.state == "missed"))
            charged = session.execute(
                select(func.count(), func.sum(LedgerEntry.amount_cents)).where(LedgerEntry.occurrence_id.is_not(None))
            ).one()
            doubled = session.scalar(
                select(func.count()).select_from(
                    select(ChoreOccurrence.chore_id)
                    .group_by(ChoreOccurrence.chore_id, ChoreOccurrence.lane, ChoreOccurrence.due_on)
                    .having(func.count() > 1)
                    .subquery()
                )
            )
        expected_missed = 4 * days  # four children, one a day each
        assert missed == expected_missed and tuple(charged) == (expected_missed, -50 * expected_missed)
        assert sum(result.penalties for result in results) == sum(result.missed for result in results)
        assert sum(result.missed for result in results) <= expected_missed
        assert doubled == 0


def _days(from_day: date, count: int) -> list[date]:
    return [from_day + timedelta(days=n) for n in range(count)]


# -- who runs it: the tick command, and the serve process when told to ----------------------------


def test_the_tick_command_runs_the_step_once_and_says_what_it_did(app, api: Api, database, tmp_path):
    import subprocess
    import sys

    from tests.migrations.helpers import process_env

    home = family(api, kids=1)
    # Made two days ago: yesterday's is missed by now, and the day before's too.
    made_at = clock.now() - timedelta(days=2)
    chore_id = make_chore(app, home.parent, made_at, assignee_ids=[home.kids[0].id], schedule=DAILY_6PM_FINE)
    command = [sys.executable, "-m", "chores_tracker", "tick"]
    first = subprocess.run(
        command, env=process_env(database.url_string), cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert first.returncode == 0, first.stderr
    assert "Time step at" in first.stdout and "penalties" in first.stdout
    missed = [day for day, (state, _) in states(app, chore_id).items() if state == "missed"]
    assert len(missed) >= 1 and len(penalties(app, home.kids[0])) == len(missed)
    second = subprocess.run(
        command, env=process_env(database.url_string), cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 0 and "missed 0 (0 penalties" in second.stdout
    assert len(penalties(app, home.kids[0])) == len(missed)


def test_serve_runs_the_step_itself_when_told_to(database, build_app):
    from fastapi.testclient import TestClient

    from tests.migrations.helpers import poll_until

    clear_all_tables(database.engine)
    stepping = build_app(database, time_step_interval_seconds=3600)
    quiet = build_app(database)
    with TestClient(quiet) as client:
        api = Api(client)
        home = family(api, kids=1)
        made_at = clock.now() - timedelta(days=2)
        chore_id = make_chore(quiet, home.parent, made_at, assignee_ids=[home.kids[0].id], schedule=DAILY_6PM_FINE)
        assert "missed" not in {state for state, _ in states(quiet, chore_id).values()}  # nobody stepped
    with TestClient(stepping):  # starting it runs a first step at once, then one an hour
        poll_until(
            lambda: "missed" in {state for state, _ in states(stepping, chore_id).values()},
            timeout=30,
            what="the serve process's time step",
        )


def test_a_family_that_changes_its_zone_gets_what_is_not_yet_due_timed_again_in_the_new_one(app, api: Api):
    from zoneinfo import ZoneInfo

    home = family(api, kids=1)
    kid = home.kids[0]
    chore_id = make_chore(
        app, home.parent, MONDAY, assignee_ids=[kid.id], schedule={"kind": "daily", "due_time": "18:00"}
    )
    with app.state.session_factory() as session:
        first = session.scalar(
            select(ChoreOccurrence).where(
                ChoreOccurrence.chore_id == chore_id, ChoreOccurrence.due_on == date(2027, 1, 6)
            )
        )
        assert first is not None and first.due_at == datetime(2027, 1, 6, 18, 0, tzinfo=UTC)
    assert api.put("/families/timezone", home.parent, json={"timezone": "America/Chicago"}).status_code == 200
    with app.state.session_factory() as session, clock.told(MONDAY):
        snoozed = session.scalar(
            select(ChoreOccurrence.id).where(
                ChoreOccurrence.chore_id == chore_id, ChoreOccurrence.due_on == date(2027, 1, 8)
            )
        )
        from chores_tracker.chores import occurrences

        occurrences.snooze_occurrence(session, session.get(User, home.parent.id), snoozed, 1)
    stepped = tick(app, MONDAY + timedelta(hours=1))
    assert stepped.retimed > 20
    chicago = ZoneInfo("America/Chicago")
    with app.state.session_factory() as session:
        rows = {
            row.due_on: row
            for row in session.scalars(select(ChoreOccurrence).where(ChoreOccurrence.chore_id == chore_id))
        }
    assert rows[date(2027, 1, 6)].due_at == datetime(2027, 1, 6, 18, 0, tzinfo=chicago)
    assert rows[date(2027, 1, 8)].due_at == datetime(2027, 1, 9, 18, 0, tzinfo=chicago)  # still snoozed a day
    assert {row.timezone for row in rows.values() if row.state == "upcoming"} == {"America/Chicago"}
    assert tick(app, MONDAY + timedelta(hours=1)).retimed == 0
