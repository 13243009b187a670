"""Reminders: the time step tells the child when an occurrence becomes due ("due soon", at its lead
time) and the child and the parents when it becomes overdue; once per occurrence and transition,
in the transition's own transaction, so a second tick or a second runner tells nothing more.

The step is run at chosen instants (see tests/chores/test_time_step.py), in a family on
Europe/Paris (UTC+1 in January) so the local due time differs from the stored UTC one.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from chores_tracker import clock
from chores_tracker.chores import pauses
from chores_tracker.chores.timestep import run_time_step
from chores_tracker.identity.models import User
from chores_tracker.notifications.models import Notification
from tests.chores.test_time_step import make_chore
from tests.support.api import Api
from tests.support.family import family
from tests.support.time_step import RUNNERS, run_time_steps_at_once

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
# 18:00 in Paris is 17:00 UTC; with an hour of grace it is overdue from 18:00 UTC.
DAILY_6PM = {"kind": "daily", "due_time": "18:00", "grace_hours": 1, "lead_time_hours": 2}
OVERDUE = datetime(2027, 1, 4, 18, 0, tzinfo=UTC)


def told(app) -> list[tuple[int, str, str]]:
    with app.state.session_factory() as session:
        found = session.execute(
            select(Notification.recipient_id, Notification.event, Notification.text)
            .where(Notification.event.in_(["chore_due_soon", "chore_overdue"]))
            .order_by(Notification.id)
        )
        return [tuple(row) for row in found]


def in_paris(api: Api, home) -> None:
    assert api.put("/families/timezone", home.parent, json={"timezone": "Europe/Paris"}).status_code == 200


def test_due_soon_tells_the_child_once_and_overdue_tells_the_child_and_the_parents_once(app, api: Api):
    home = family(api, kids=2)
    kid, sibling = home.kids
    other_parent = api.second_parent(home.parent)
    in_paris(api, home)
    make_chore(app, home.parent, MONDAY, title="Feed the cat", assignee_ids=[kid.id], schedule=DAILY_6PM)

    run_time_step(app.state.session_factory, MONDAY + timedelta(minutes=1))
    assert told(app) == [(kid.id, "chore_due_soon", "'Feed the cat' is due Mon 04 Jan 18:00")]
    # Ticks again, at the same instant and later on, tell nothing more.
    run_time_step(app.state.session_factory, MONDAY + timedelta(minutes=1))
    run_time_step(app.state.session_factory, OVERDUE - timedelta(seconds=1))
    assert len(told(app)) == 1

    assert run_time_step(app.state.session_factory, OVERDUE).overdue == 1
    run_time_step(app.state.session_factory, OVERDUE + timedelta(minutes=5))
    overdue = [(who, text) for who, event, text in told(app) if event == "chore_overdue"]
    assert sorted(who for who, _ in overdue) == sorted([kid.id, home.parent.id, other_parent.id])
    assert {text for _, text in overdue} == {f"{kid.username}: 'Feed the cat' is overdue (it was due Mon 04 Jan 18:00)"}
    assert sibling.id not in {who for who, _, _ in told(app)}

    # The events a member may choose include them.
    events = api.get("/notifications/events", home.parent).json()["events"]
    assert {"chore_due_soon", "chore_overdue"} <= set(events)


def test_a_paused_child_is_reminded_of_nothing(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    in_paris(api, home)
    make_chore(app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM)
    with app.state.session_factory() as session, clock.told(MONDAY):
        pauses.add_pause(session, session.get(User, home.parent.id), kid.id, date(2027, 1, 4), date(2027, 1, 4))
    for at in (MONDAY + timedelta(minutes=1), OVERDUE, OVERDUE + timedelta(hours=1)):
        run_time_step(app.state.session_factory, at)
    assert told(app) == []


def test_a_run_missed_for_a_day_reminds_only_of_what_is_still_true(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    in_paris(api, home)
    make_chore(app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM)
    # Monday's went due, overdue and missed in this one run: only Tuesday's is due soon now.
    summary = run_time_step(app.state.session_factory, datetime(2027, 1, 5, 0, 0, tzinfo=UTC))
    assert summary.missed == 1
    assert told(app) == [(kid.id, "chore_due_soon", "'Dishes' is due Tue 05 Jan 18:00")]


# -- two runners at once, on the databases that can run them --------------------------------------


def test_concurrent_runs_remind_once(server_app):
    from fastapi.testclient import TestClient

    api = Api(TestClient(server_app))
    homes = [family(api, kids=2) for _ in range(2)]
    for home in homes:
        in_paris(api, home)
        for kid in home.kids:
            make_chore(server_app, home.parent, MONDAY, assignee_ids=[kid.id], schedule=DAILY_6PM)
    for at in (MONDAY + timedelta(minutes=1), OVERDUE):
        results = run_time_steps_at_once(server_app.state.session_factory, at)
        assert len(results) == RUNNERS
    with server_app.state.session_factory() as session:
        counts = dict(
            session.execute(
                select(Notification.event, func.count())
                .where(Notification.event.in_(["chore_due_soon", "chore_overdue"]))
                .group_by(Notification.event)
            ).all()
        )
        doubled = session.scalar(
            select(func.count()).select_from(
                select(Notification.recipient_id)
                .group_by(Notification.recipient_id, Notification.event, Notification.chore_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
    # Four children, one occurrence each: four "due soon"; "overdue" to each child and its parent.
    assert counts == {"chore_due_soon": 4, "chore_overdue": 8}
    assert doubled == 0
