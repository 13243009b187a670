"""Auto-approve per chore: a fixed-reward chore so marked is approved the moment it is done."""

from __future__ import annotations

from tests.support.family import chore, complete


def test_an_auto_approved_chore_pays_at_once_and_waits_for_nobody(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(api, parent, title="Feed fish", reward="0.50", assignee_ids=[kid.id], auto_approve=True)
    assert item["auto_approve"] is True
    response = api.post(f"/chores/{item['id']}/complete", kid)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["assignment"]["is_approved"] is True and body["assignment"]["approval_reward"] == 0.5
    assert "approved" in body["message"]
    assert api.get("/chores/pending-approval", parent).json() == []
    assert api.get("/users/me/balance", kid).json()["balance"] == 0.5
    feed = api.get("/activities/recent", parent).json()["activities"]
    auto = [a for a in feed if a["activity_type"] == "chore_auto_approved"]
    assert len(auto) == 1 and auto[0]["target_user_id"] == kid.id
    # Nothing is left for a parent or the child to do about it, and a parent may still reverse it.
    assert api.post(f"/chores/{item['id']}/take-back", kid).status_code == 409
    earning = api.get(f"/ledger/child/{kid.id}", parent).json()[0]
    assert earning["kind"] == "chore_earning" and earning["author_id"] is None and earning["can_reverse"]


def test_a_recurring_auto_approved_chore_comes_back_after_its_cooldown(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(api, parent, title="Walk dog", reward="1.00", assignee_ids=[kid.id], auto_approve=True,
                 is_recurring=True, cooldown_days=0)  # fmt: skip
    complete(api, kid, item["id"])
    complete(api, kid, item["id"])
    assert api.get("/users/me/balance", kid).json()["balance"] == 2


def test_auto_approve_is_for_a_fixed_reward_and_can_be_turned_off(api):
    parent = api.parent()
    kid = api.child(parent)
    refused = api.post(
        "/chores",
        parent,
        json={"title": "R", "is_range_reward": True, "min_reward": 1, "max_reward": 2, "assignee_ids": [kid.id],
              "auto_approve": True},
    )  # fmt: skip
    assert refused.status_code == 422 and "auto_approve" in refused.text
    item = chore(api, parent, title="Bed", reward="1.00", assignee_ids=[kid.id], auto_approve=True)
    off = api.put(f"/chores/{item['id']}", parent, json={"auto_approve": False})
    assert off.status_code == 200 and off.json()["auto_approve"] is False
    complete(api, kid, item["id"])
    assert len(api.get("/chores/pending-approval", parent).json()) == 1


def test_chores_are_reviewed_by_a_parent_unless_said(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(api, parent, title="Dishes", reward="1.00", assignee_ids=[kid.id])
    assert item["auto_approve"] is False
    complete(api, kid, item["id"])
    assert api.get("/users/me/balance", kid).json()["balance"] == 0
