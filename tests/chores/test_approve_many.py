"""Faster review: approving several, or every completion waiting, in one action; each is paid once."""

from __future__ import annotations

from tests.support.family import chore, complete


def _approve_many(api, parent, body=None):
    response = api.post("/assignments/approve-many", parent, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_approve_all_pays_each_waiting_completion_once_and_skips_range_chores(api):
    parent = api.parent()
    ann, ben = api.child(parent), api.child(parent)
    fixed = [
        chore(
            api,
            parent,
            title=f"Fixed {n}",
            reward="1.25",
            assignment_mode="multi_independent",
            assignee_ids=[ann.id, ben.id],
        )
        for n in range(2)
    ]
    ranged = chore(
        api, parent, title="Range", is_range_reward=True, min_reward=1, max_reward=3, reward=None, assignee_ids=[ann.id]
    )
    for item in fixed:
        complete(api, ann, item["id"])
        complete(api, ben, item["id"])
    waiting_range = complete(api, ann, ranged["id"])

    result = _approve_many(api, parent)
    assert len(result["approved"]) == 4
    assert result["total_approved"] == 5
    assert [s["assignment_id"] for s in result["skipped"]] == [waiting_range["id"]]
    assert "range chore" in result["skipped"][0]["reason"]
    assert api.get("/users/me/balance", ann).json()["balance"] == 2.5
    assert api.get("/users/me/balance", ben).json()["balance"] == 2.5
    assert [p["assignment_id"] for p in api.get("/chores/pending-approval", parent).json()] == [waiting_range["id"]]

    again = _approve_many(api, parent)
    assert again["approved"] == [] and again["total_approved"] == 0


def test_approve_a_selection_and_skip_what_is_not_waiting_or_not_ours(api):
    parent = api.parent()
    kid = api.child(parent)
    items = [chore(api, parent, title=f"C{n}", reward="2.00", assignee_ids=[kid.id]) for n in range(3)]
    slots = [complete(api, kid, item["id"])["id"] for item in items]
    stranger = api.parent()
    other_kid = api.child(stranger)
    foreign = complete(api, other_kid, chore(api, stranger, title="X", reward="9", assignee_ids=[other_kid.id])["id"])

    result = _approve_many(api, parent, {"assignment_ids": [slots[0], slots[2], slots[0], foreign["id"]]})
    assert [r["assignment"]["id"] for r in result["approved"]] == [slots[0], slots[2]]
    assert [(s["assignment_id"], s["reason"]) for s in result["skipped"]] == [(foreign["id"], "assignment not found")]
    assert api.get("/users/me/balance", kid).json()["balance"] == 4
    assert api.get("/users/me/balance", other_kid).json()["balance"] == 0
    assert [p["assignment_id"] for p in api.get("/chores/pending-approval", parent).json()] == [slots[1]]


def test_a_child_cannot_approve_many_and_bad_bodies_are_refused(api):
    parent = api.parent()
    kid = api.child(parent)
    assert api.post("/assignments/approve-many", kid, json={}).status_code == 403
    for body in ({"assignment_ids": "all"}, {"assignment_ids": [0]}, {"assignment_ids": list(range(1, 502))}):
        assert api.post("/assignments/approve-many", parent, json=body).status_code == 422, body
