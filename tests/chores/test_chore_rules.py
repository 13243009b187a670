"""Chores: what a parent may create and change, and who sees what."""

from __future__ import annotations

import pytest

from tests.support.family import approve, chore, complete, family


def _field_errors(response) -> set[str]:
    return {str(error["loc"][-1]) for error in response.json()["detail"]}


def test_a_fixed_single_chore_is_created_with_one_available_assignment(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, title="Dishes", reward=2.5, assignee_ids=[kid.id], description="  after dinner ")
    assert created["title"] == "Dishes"
    assert created["description"] == "after dinner"
    assert created["reward"] == 2.5
    assert created["is_range_reward"] is False and created["min_reward"] is None and created["max_reward"] is None
    assert created["assignee_ids"] == [kid.id]
    assert created["creator_id"] == home.parent.id
    [assignment] = created["assignments"]
    assert assignment["assignee_id"] == kid.id and assignment["assignee_name"] == kid.username
    assert (assignment["is_completed"], assignment["is_approved"]) == (False, False)
    assert created["next_available_at"] is None


def test_a_range_chore_keeps_its_bounds_and_no_fixed_reward(api):
    home = family(api, kids=1)
    created = chore(
        api,
        home.parent,
        is_range_reward=True,
        reward=9,
        min_reward="1.50",
        max_reward=4,
        assignee_ids=[home.kids[0].id],
    )
    assert (created["reward"], created["min_reward"], created["max_reward"]) == (None, 1.5, 4)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"is_range_reward": True, "min_reward": 5, "max_reward": 2}, "max_reward"),
        ({"is_range_reward": True, "max_reward": 2}, "min_reward"),
        ({"is_range_reward": True, "min_reward": -1, "max_reward": 2}, "min_reward"),
        ({"reward": None}, "reward"),
        ({"reward": -1}, "reward"),
        ({"reward": "1.005"}, "reward"),
        ({"reward": 1_000_000.01}, "reward"),
        ({"reward": "NaN"}, "reward"),
        ({"title": "   "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"cooldown_days": 3}, "cooldown_days"),
        ({"is_recurring": True, "cooldown_days": -1}, "cooldown_days"),
        ({"assignment_mode": "everyone"}, "assignment_mode"),
    ],
)
def test_invalid_chores_are_refused_with_the_field_named(api, fields, field):
    home = family(api, kids=1)
    body = {"title": "Lawn", "reward": 1, "assignment_mode": "single", "assignee_ids": [home.kids[0].id], **fields}
    response = api.post("/chores", home.parent, json=body)
    assert response.status_code == 422, response.text
    assert field in _field_errors(response)
    assert api.get("/chores", home.parent).json() == []


def test_assignees_must_fit_the_mode(api):
    home = family(api, kids=2)
    a, b = home.kids
    cases = [
        ("single", []),
        ("single", [a.id, b.id]),
        ("multi_independent", []),
        ("unassigned", [a.id]),
    ]
    for mode, assignees in cases:
        response = api.post(
            "/chores", home.parent, json={"title": "T", "reward": 1, "assignment_mode": mode, "assignee_ids": assignees}
        )
        assert response.status_code == 422, (mode, assignees)
        assert _field_errors(response) == {"assignee_ids"}
    duplicated = chore(api, home.parent, assignment_mode="multi_independent", assignee_ids=[a.id, b.id, a.id])
    assert duplicated["assignee_ids"] == [a.id, b.id]


def test_assignees_must_be_children_of_the_callers_family(api):
    home = family(api, kids=1)
    elsewhere = family(api, kids=1)
    for stranger_id in (elsewhere.kids[0].id, elsewhere.parent.id, home.parent.id, 999_999):
        response = api.post(
            "/chores",
            home.parent,
            json={"title": "T", "reward": 1, "assignment_mode": "single", "assignee_ids": [stranger_id]},
        )
        assert response.status_code == 422
        assert _field_errors(response) == {"assignee_ids"}


def test_a_recurring_chore_without_a_cooldown_has_a_cooldown_of_zero(api):
    home = family(api, kids=1)
    created = chore(api, home.parent, is_recurring=True, assignee_ids=[home.kids[0].id])
    assert (created["is_recurring"], created["cooldown_days"]) == (True, 0)


def test_a_child_sees_its_own_chores_and_the_pool_but_not_a_siblings(api):
    home = family(api, kids=2)
    a, b = home.kids
    own = chore(api, home.parent, title="Own", assignee_ids=[a.id])
    chore(api, home.parent, title="Sibling's", assignee_ids=[b.id])
    pool = chore(api, home.parent, title="Pool", assignment_mode="unassigned")
    shared = chore(api, home.parent, title="Both", assignment_mode="multi_independent", assignee_ids=[a.id, b.id])
    seen = api.get("/chores", a).json()
    assert [c["title"] for c in seen] == ["Own", "Pool", "Both"]
    both = next(c for c in seen if c["id"] == shared["id"])
    assert [x["assignee_id"] for x in both["assignments"]] == [a.id]  # not the sibling's progress
    assert both["assignee_ids"] == [a.id, b.id]
    assert api.get(f"/chores/{own['id']}", a).status_code == 200
    assert api.get(f"/chores/{pool['id']}", a).status_code == 200
    sibling_chore = next(c for c in api.get("/chores", home.parent).json() if c["title"] == "Sibling's")
    assert api.get(f"/chores/{sibling_chore['id']}", a).status_code == 404
    assert len(api.get("/chores", home.parent).json()) == 4


def test_a_paused_chore_disappears_for_children_until_resumed(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, assignee_ids=[kid.id])
    paused = api.post(f"/chores/{created['id']}/disable", home.parent)
    assert paused.status_code == 200 and paused.json()["is_disabled"] is True
    assert api.get("/chores", kid).json() == []
    assert api.get("/chores/available", kid).json()["total_count"] == 0
    assert api.post(f"/chores/{created['id']}/complete", kid).status_code == 404
    assert [c["id"] for c in api.get("/chores", home.parent, params={"status": "active"}).json()] == []
    resumed = api.post(f"/chores/{created['id']}/enable", home.parent)
    assert resumed.json()["is_disabled"] is False
    assert api.get("/chores/available", kid).json()["total_count"] == 1


def test_editing_changes_only_the_fields_sent(api):
    home = family(api, kids=1)
    created = chore(api, home.parent, title="Dishes", description="Sink too", reward=2, assignee_ids=[home.kids[0].id])
    response = api.put(f"/chores/{created['id']}", home.parent, json={"reward": "3.10"})
    assert response.status_code == 200
    edited = response.json()
    assert (edited["title"], edited["description"], edited["reward"]) == ("Dishes", "Sink too", 3.1)
    assert edited["assignee_ids"] == created["assignee_ids"]
    cleared = api.put(f"/chores/{created['id']}", home.parent, json={"description": None}).json()
    assert cleared["description"] is None
    assert api.put(f"/chores/{created['id']}", home.parent, json={"title": None}).status_code == 422
    to_range = api.put(f"/chores/{created['id']}", home.parent, json={"is_range_reward": True})
    assert to_range.status_code == 422 and _field_errors(to_range) == {"min_reward"}


def test_reassigning_keeps_the_children_who_stay_and_their_cooldown(api, app):
    home = family(api, kids=3)
    a, b, c = home.kids
    created = chore(
        api,
        home.parent,
        assignment_mode="multi_independent",
        assignee_ids=[a.id, b.id],
        is_recurring=True,
        cooldown_days=2,
    )
    a_slot = next(x for x in created["assignments"] if x["assignee_id"] == a.id)
    approve(api, home.parent, complete(api, a, created["id"])["id"])
    edited = api.put(f"/chores/{created['id']}", home.parent, json={"assignee_ids": [a.id, c.id]}).json()
    assert edited["assignee_ids"] == [a.id, c.id]
    kept = next(x for x in edited["assignments"] if x["assignee_id"] == a.id)
    assert kept["id"] == a_slot["id"] and kept["is_approved"] is True and kept["next_available_at"] is not None
    assert api.get("/chores", b).json() == []
    to_pool = api.put(f"/chores/{created['id']}", home.parent, json={"assignment_mode": "unassigned"}).json()
    assert (to_pool["assignee_ids"], to_pool["assignments"]) == ([], [])
    assert [p["chore"]["id"] for p in api.get("/chores/available", b).json()["pool"]] == [created["id"]]
    back = api.put(
        f"/chores/{created['id']}", home.parent, json={"assignment_mode": "single", "assignee_ids": [b.id]}
    ).json()
    assert back["assignee_ids"] == [b.id]


def test_a_child_waiting_for_approval_cannot_be_taken_off_the_chore(api):
    home = family(api, kids=2)
    a, b = home.kids
    created = chore(api, home.parent, assignee_ids=[a.id])
    complete(api, a, created["id"])
    response = api.put(f"/chores/{created['id']}", home.parent, json={"assignee_ids": [b.id]})
    assert response.status_code == 409
    assert api.delete(f"/chores/{created['id']}", home.parent).status_code == 409
    assert api.get(f"/chores/{created['id']}", home.parent).json()["assignee_ids"] == [a.id]


def test_a_deleted_chore_is_gone_from_every_list_but_its_earnings_stay(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, title="Windows", reward="4.20", assignee_ids=[kid.id])
    approve(api, home.parent, complete(api, kid, created["id"])["id"])
    assert api.delete(f"/chores/{created['id']}", home.parent).status_code == 204
    assert api.get(f"/chores/{created['id']}", home.parent).status_code == 404
    assert api.get("/chores", home.parent).json() == []
    assert api.get("/chores", kid).json() == []
    assert api.delete(f"/chores/{created['id']}", home.parent).status_code == 404
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 4.2
    [earning] = api.get(f"/reports/reward-history/{kid.id}", home.parent).json()
    assert (earning["chore_title"], earning["amount"]) == ("Windows", 4.2)


def test_editing_a_chore_never_changes_what_was_earned(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, title="Bins", reward=1, assignee_ids=[kid.id], is_recurring=True)
    approve(api, home.parent, complete(api, kid, created["id"])["id"])
    api.put(f"/chores/{created['id']}", home.parent, json={"title": "Recycling", "reward": 50})
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 1
    [earning] = api.get(f"/reports/reward-history/{kid.id}", home.parent).json()
    assert (earning["chore_title"], earning["amount"]) == ("Bins", 1)


def test_the_status_filter_follows_the_lifecycle(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    first = chore(api, home.parent, title="First", assignee_ids=[kid.id])
    second = chore(api, home.parent, title="Second", assignee_ids=[kid.id])
    third = chore(api, home.parent, title="Third", assignee_ids=[kid.id])
    complete(api, kid, second["id"])
    approve(api, home.parent, complete(api, kid, third["id"])["id"])

    def titles(who, status):
        response = api.get("/chores", who, params={"status": status})
        assert response.status_code == 200
        return [c["title"] for c in response.json()]

    for who in (kid, home.parent):
        assert titles(who, "available") == ["First"]
        assert titles(who, "pending_approval") == ["Second"]
        assert titles(who, "approved") == ["Third"]
        assert titles(who, "completed") == ["Second", "Third"]
        assert titles(who, "active") == ["First", "Second", "Third"]
    assert api.get("/chores", kid, params={"status": "sideways"}).status_code == 422
    assert first["id"]


def test_ids_outside_the_id_range_are_invalid_input_not_errors(api):
    home = family(api, kids=1)
    huge = 2**63
    assert api.get(f"/chores/{huge}", home.parent).status_code == 422
    assert api.get(f"/chores/child/{huge}", home.parent).status_code == 422
    assert api.get(f"/activities/{huge}", home.parent).status_code == 422
    assert (
        api.post("/adjustments/", home.parent, json={"child_id": huge, "amount": 1, "reason": "x"}).status_code == 422
    )
    response = api.post("/chores", home.parent, json={"title": "x", "reward": 1, "assignee_ids": [huge]})
    assert response.status_code == 422


def test_text_a_database_cannot_store_is_invalid_input(api):
    home = family(api, kids=1)
    response = api.post("/chores", home.parent, json={"title": "a\x00b", "reward": 1, "assignment_mode": "unassigned"})
    assert response.status_code == 422
    assert _field_errors(response) == {"title"}
    bonus = {"child_id": home.kids[0].id, "amount": 1, "reason": "x\x00"}
    assert api.post("/adjustments/", home.parent, json=bonus).status_code == 422
    assert api.get("/chores", home.parent, params={"skip": 10**20}).status_code == 422
    for bound in ({"date_to": "9999-12-31"}, {"date_from": "0001-01-01T00:00:00+01:00"}):
        assert api.get("/reports/allowance-summary", home.parent, params=bound).status_code == 422


def test_a_parent_without_a_family_cannot_create_chores(api):
    loner = api.parent(with_family=False)
    response = api.post("/chores", loner, json={"title": "T", "reward": 1, "assignment_mode": "unassigned"})
    assert response.status_code == 404
    assert api.get("/chores", loner).json() == []
