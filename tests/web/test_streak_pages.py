"""A child's home shows its day streak, its on-time streak and its badges (tests/chores/test_streaks.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from chores_tracker import clock
from chores_tracker.chores.models import Completion
from tests.web.conftest import user_id


def test_the_childs_home_shows_its_streak_and_badges(app, visitor):
    parent = visitor()
    parent.parent_with_family()
    kid_name = parent.add_child()
    kid_id = user_id(app, kid_name)
    kid = visitor()
    kid.log_in(kid_name)
    home = kid.get("/")
    assert 'id="streaks"' not in home.text  # nothing to show yet

    factory = app.state.session_factory
    for n in (0, 1, 2):
        made = parent.api("POST", "/chores", json={"title": f"Chore {n}", "reward": "1", "assignee_ids": [kid_id]})
        assert made.status_code == 201, made.text
        done = kid.api("POST", f"/chores/{made.json()['id']}/complete").json()["assignment"]["id"]
        assert parent.api("POST", f"/assignments/{done}/approve", json={}).status_code == 200
        with factory() as session:
            session.execute(
                update(Completion)
                .where(Completion.chore_id == made.json()["id"])
                .values(completed_at=clock.now() - timedelta(days=n))
            )
            session.commit()
    home = kid.get("/")
    assert "<strong>3</strong> days in a row" in home.text
    assert "3-day streak" in home.text and "4 more days for the 7-day badge." in home.text


def test_a_parent_sets_and_turns_off_the_streak_bonus_on_the_family_page(visitor):
    parent = visitor()
    parent.parent_with_family()
    page = parent.get("/family")
    assert 'action="/family/streak-bonus"' in page.text
    saved = parent.submit("/family/streak-bonus", {"percent": "10", "step_days": "7", "cap_percent": "30"})
    assert saved.url.path == "/family" and parent.flash() == "Streak bonus: +10% per 7 days in a row, at most +30%."
    assert parent.api("GET", "/families/streak-bonus").json() == {"percent": 10, "step_days": 7, "cap_percent": 30}
    refused = parent.submit("/family/streak-bonus", {"percent": "150", "step_days": "7", "cap_percent": "30"})
    assert refused.status_code == 422
    off = parent.submit("/family/streak-bonus", {"percent": "0", "step_days": "7", "cap_percent": "30"})
    assert parent.flash() == "No streak bonus: each approval pays the reward as set." and off.status_code == 200
