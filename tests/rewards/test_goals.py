"""Savings goals: progress from the balance, a projected date from the last 28 days' credits,
reaching it recorded once."""

from __future__ import annotations

from datetime import timedelta

from chores_tracker import clock
from chores_tracker.chores.timestep import run_time_step
from tests.support.api import Api
from tests.support.family import family


def test_a_childs_goal_shows_progress_and_a_projected_date_then_is_reached_once(app, api: Api):
    home = family(api, kids=1)
    kid = home.kids[0]
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "4.00", "reason": "week"})
    made = api.post("/goals", kid, json={"title": "Bike", "target": "10.00"})
    assert made.status_code == 201, made.text
    goal = made.json()
    assert (goal["saved"], goal["progress_percent"], goal["reached"]) == (4, 40, False)
    # 4.00 in the last 28 days: 6.00 more takes ceil(6 / (4 / 28)) = 42 days.
    today = clock.now().date()  # the family is on UTC
    assert goal["projected_date"] == (today + timedelta(days=42)).isoformat()
    assert goal["daily_rate"] == 0.14

    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "6.00", "reason": "birthday"})
    assert run_time_step(app.state.session_factory).goals_reached == 1
    assert run_time_step(app.state.session_factory).goals_reached == 0
    [shown] = api.get("/goals", kid).json()
    assert shown["reached"] is True and shown["reached_at"] and shown["projected_date"] is None
    feed = api.get("/activities/recent", home.parent, params={"activity_type": "goal_reached"}).json()
    assert feed["total_count"] == 1
    for who in (kid, home.parent):
        assert "goal_reached" in [n["event"] for n in api.get("/notifications", who).json()["notifications"]]


def test_a_parent_sets_a_goal_for_a_child_and_a_covered_goal_is_reached_at_once(api: Api):
    home = family(api, kids=2)
    kid, sister = home.kids
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "3", "reason": "x"})
    assert api.post("/goals", home.parent, json={"title": "Ball", "target": 2}).status_code == 404  # which child?
    made = api.post("/goals", home.parent, json={"title": "Ball", "target": 2, "child_id": kid.id})
    assert made.status_code == 201 and made.json()["reached"] is True and made.json()["reached_at"]
    assert api.post("/goals", sister, json={"title": "x", "target": 1, "child_id": kid.id}).status_code == 403
    nothing = api.post("/goals", sister, json={"title": "Kite", "target": 5}).json()
    assert nothing["projected_date"] is None and nothing["progress_percent"] == 0
    assert {g["child_id"] for g in api.get("/goals", home.parent).json()} == {kid.id, sister.id}
    assert [g["title"] for g in api.get("/goals", sister).json()] == ["Kite"]
    assert api.delete(f"/goals/{made.json()['id']}", sister).status_code == 404
    assert api.delete(f"/goals/{nothing['id']}", sister).status_code == 204
    assert api.delete(f"/goals/{made.json()['id']}", home.parent).status_code == 204
    assert api.get("/goals", home.parent).json() == []


def test_the_projection_counts_only_the_last_28_days_of_credits(app, api: Api):
    from sqlalchemy import update

    from chores_tracker.ledger.models import LedgerEntry

    home = family(api, kids=1)
    kid = home.kids[0]
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "2.80", "reason": "old"})
    with app.state.session_factory() as session:
        session.execute(update(LedgerEntry).values(created_at=clock.now() - timedelta(days=29)))
        session.commit()
    goal = api.post("/goals", kid, json={"title": "Book", "target": "5.60"}).json()
    assert (goal["saved"], goal["daily_rate"], goal["projected_date"]) == (2.8, 0, None)
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "1.40", "reason": "new"})
    [goal] = api.get("/goals", kid).json()
    # 1.40 in 28 days is 0.05 a day: the 1.40 left takes 28 days.
    assert goal["daily_rate"] == 0.05
    assert goal["projected_date"] == (clock.now().date() + timedelta(days=28)).isoformat()
