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
                            "best_on_time_streak": 0, "badges": [], "next_day_milestone": 3, "bonus_percent": 0}  # fmt: skip

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


def test_the_streak_bonus_is_bounded_and_rounds_down_to_a_whole_cent():
    from chores_tracker.chores.streaks import BonusRule, bonus_cents, bonus_percent

    rule = BonusRule(percent=10, step_days=7, cap_percent=25)
    assert [bonus_percent(rule, days) for days in (0, 6, 7, 13, 14, 21, 70)] == [0, 0, 10, 10, 20, 25, 25]
    assert bonus_percent(BonusRule(0, 7, 50), 100) == 0  # off
    assert bonus_cents(125, 10) == 12  # 12.5 cents: rounded down
    assert bonus_cents(199, 25) == 49  # 49.75 cents
    assert bonus_cents(0, 25) == 0


def test_an_approval_pays_the_familys_streak_bonus_in_whole_cents(api: Api):
    parent = api.parent()
    kid, sister = api.child(parent), api.child(parent)
    assert api.get("/families/streak-bonus", kid).json() == {"percent": 0, "step_days": 7, "cap_percent": 50}
    _approved_on(api, parent, kid, [1, 2, 3, 4, 5, 6, 7])  # a 7-day streak, earned without a bonus
    assert api.get("/users/me/balance", kid).json()["balance"] == 7.0

    set_ = api.client.put("/api/v1/families/streak-bonus", json={"percent": 10, "step_days": 7, "cap_percent": 30},
                          headers=parent.headers)  # fmt: skip
    assert set_.status_code == 200 and set_.json() == {"percent": 10, "step_days": 7, "cap_percent": 30}
    assert api.get("/users/me/streaks", kid).json()["bonus_percent"] == 10

    for child in (kid, sister):
        made = chore(api, parent, title=f"Windows {child.id}", reward="1.25", assignee_ids=[child.id])
        assignment = complete(api, child, made["id"])
        approve(api, parent, assignment["id"])
    # 1.25 + 10% = 1.375: paid 1.37, one earning. The sister has no streak: no bonus.
    assert api.get("/users/me/balance", kid).json()["balance"] == 8.37
    assert api.get("/users/me/balance", sister).json()["balance"] == 1.25
    earnings = api.get(f"/ledger/child/{kid.id}", parent).json()
    assert "1.37" in str(earnings)

    off = api.client.put("/api/v1/families/streak-bonus", json={"percent": 0}, headers=parent.headers)
    assert off.json()["percent"] == 0
    made = chore(api, parent, title="Plants", reward="1.00", assignee_ids=[kid.id])
    approve(api, parent, complete(api, kid, made["id"])["id"])
    assert api.get("/users/me/balance", kid).json()["balance"] == 9.37


def test_approve_many_and_auto_approve_pay_the_streak_bonus_too(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    _approved_on(api, parent, kid, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14])  # two 7-day steps
    api.client.put("/api/v1/families/streak-bonus", json={"percent": 5, "step_days": 7, "cap_percent": 50},
                   headers=parent.headers)  # fmt: skip
    before = api.get("/users/me/balance", kid).json()["balance"]
    assert before == 14.0
    for title in ("Bins", "Beds"):
        complete(api, kid, chore(api, parent, title=title, reward="0.99", assignee_ids=[kid.id])["id"])
    many = api.post("/assignments/approve-many", parent, json={})
    assert many.status_code == 200, many.text
    # 0.99 + 10% = 1.089: 1.08 each.
    assert api.get("/users/me/balance", kid).json()["balance"] == 16.16
    auto = chore(api, parent, title="Feed the fish", reward="2.00", assignee_ids=[kid.id], auto_approve=True)
    complete(api, kid, auto["id"])
    assert api.get("/users/me/balance", kid).json()["balance"] == 18.36  # 2.00 + 10%
