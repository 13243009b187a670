"""Auto-approve on the pages: ticked on the chore form, a child's "Done" earns at once."""

from __future__ import annotations

from tests.web.conftest import field_error, user_id


def test_a_chore_set_to_approve_itself_pays_the_child_at_once(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    kid = user_id(app, name)
    parent.get("/chores/new")
    response = parent.submit(
        "/chores/new",
        {"title": "Water plants", "reward_kind": "fixed", "reward": "0.75", "assignment_mode": "single",
         "single_assignee": str(kid), "auto_approve": "true"},
    )  # fmt: skip
    assert response.status_code == 200, response.text
    [item] = parent.api("GET", "/chores").json()
    assert item["auto_approve"] is True
    assert 'name="auto_approve" value="true" checked' in parent.get(f"/chores/{item['id']}/edit").text
    child = visitor()
    child.log_in(name)
    child.get("/")
    child.submit(f"/chores/{item['id']}/complete")
    assert child.flash() == "Well done! You earned $0.75 for “Water plants”."
    assert child.api("GET", "/users/me/balance").json()["balance"] == 0.75
    assert "was approved automatically" in parent.get("/activity").text


def test_a_range_chore_cannot_approve_itself(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    kid = user_id(app, parent.add_child())
    parent.get("/chores/new")
    response = parent.submit(
        "/chores/new",
        {"title": "Garden", "reward_kind": "range", "min_reward": "1", "max_reward": "3", "assignment_mode": "single",
         "single_assignee": str(kid), "auto_approve": "true"},
    )  # fmt: skip
    assert response.status_code == 422
    assert field_error(response.text, "auto_approve")
