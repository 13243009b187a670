"""Streaks and badges (issue 14, point 4): consecutive days with an approved chore, consecutive
occurrences done on time, badges at milestones; paused days neither break nor extend a streak."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import update

from chores_tracker import clock
from chores_tracker.chores.models import Completion
from chores_tracker.chores.streaks import LATE, NEUTRAL, ON_TIME, day_runs, on_time_runs, outcome
from tests.support.api import Api, Person
from tests.support.family import approve, chore, complete

TODAY = date(2027, 5, 20)


def days_ago(*numbers: int) -> set[date]:
    return {TODAY - timedelta(days=n) for n in numbers}


def test_a_day_streak_counts_consecutive_days_and_today_does_not_break_it():
    assert day_runs(days_ago(1, 2, 3), set(), TODAY - timedelta(days=3), TODAY) == (3, 3)
    assert day_runs(days_ago(0, 1, 2, 3), set(), TODAY - timedelta(days=3), TODAY) == (4, 4)
    # A day without an approved chore ends it; the best run stays.
    assert day_runs(days_ago(1, 3, 4, 5), set(), TODAY - timedelta(days=5), TODAY) == (1, 3)
    # Yesterday missed: today, not done yet, has nothing to carry on.
    assert day_runs(days_ago(2, 3), set(), TODAY - timedelta(days=3), TODAY) == (0, 2)


def test_paused_days_neither_break_nor_extend_a_day_streak():
    # Done 1, 2, 5 days ago; 3 and 4 days ago paused: a streak of 3, not 5 and not broken.
    assert day_runs(days_ago(1, 2, 5), days_ago(3, 4), TODAY - timedelta(days=5), TODAY) == (3, 3)
    # A chore done on a paused day does not extend it either.
    assert day_runs(days_ago(1, 2, 3), days_ago(2), TODAY - timedelta(days=3), TODAY) == (2, 2)
    # Without the pause, the gap breaks it.
    assert day_runs(days_ago(1, 2, 5), set(), TODAY - timedelta(days=5), TODAY) == (2, 2)


def test_on_time_occurrences_in_a_row():
    due = datetime(2027, 5, 1, 18, tzinfo=UTC)
    early, late = due - timedelta(hours=1), due + timedelta(hours=1)
    assert outcome("approved", early, due, False) == ON_TIME
    assert outcome("done", early, due, False) == ON_TIME
    assert outcome("approved", late, due, False) == LATE
    assert outcome("missed", None, due, False) == LATE
    assert outcome("overdue", None, due, False) == LATE
    assert outcome("skipped", None, due, False) == NEUTRAL
    assert outcome("upcoming", None, due, False) == NEUTRAL
    assert outcome("missed", None, due, True) == NEUTRAL  # a paused day's occurrence
    assert on_time_runs([ON_TIME, ON_TIME, LATE, ON_TIME, NEUTRAL, ON_TIME, ON_TIME]) == (3, 3)
    assert on_time_runs([ON_TIME, ON_TIME, ON_TIME, LATE]) == (0, 3)
    assert on_time_runs([]) == (0, 0)


def _approved_on(api: Api, parent: Person, kid: Person, days_back: list[int]) -> None:
    """One approved chore of the kid's done each of these days ago (the stored instant moved back)."""
    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    for n in days_back:
        made = chore(api, parent, title=f"Chore {n}", assignee_ids=[kid.id])
        assignment = complete(api, kid, made["id"])
        approve(api, parent, assignment["id"])
        with factory() as session:
            session.execute(
                update(Completion)
                .where(Completion.chore_id == made["id"])
                .values(completed_at=clock.now() - timedelta(days=n))
            )
            session.commit()


def test_a_childs_streaks_and_badges_in_the_api(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    empty = api.get("/users/me/streaks", kid)
    assert empty.status_code == 200, empty.text
    assert empty.json() == {"child_id": kid.id, "day_streak": 0, "best_day_streak": 0, "on_time_streak": 0,
                            "best_on_time_streak": 0, "badges": [], "next_day_milestone": 3}  # fmt: skip

    _approved_on(api, parent, kid, [1, 2, 5])
    two = api.get(f"/children/{kid.id}/streaks", parent).json()
    assert (two["day_streak"], two["best_day_streak"], two["badges"]) == (2, 2, [])

    # 3 and 4 days ago the kid was away: the streak steps over them, to 3 days and a badge.
    today = clock.now().date()
    paused = api.post(f"/children/{kid.id}/pauses", parent, json={
        "first_day": str(today - timedelta(days=4)), "last_day": str(today - timedelta(days=3))})  # fmt: skip
    assert paused.status_code == 201, paused.text
    three = api.get("/users/me/streaks", kid).json()
    assert (three["day_streak"], three["best_day_streak"]) == (3, 3)
    assert three["badges"] == [{"kind": "days", "milestone": 3, "title": "3-day streak"}]
    assert three["next_day_milestone"] == 7

    # Done today too: four in a row.
    _approved_on(api, parent, kid, [0])
    assert api.get("/users/me/streaks", kid).json()["day_streak"] == 4
