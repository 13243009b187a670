"""The activity feed: one row per state change; a child sees its own, a parent the family's."""

from __future__ import annotations

from tests.support.family import approve, chore, complete, family, reject


def _types(page: dict) -> list[str]:
    return [a["activity_type"] for a in page["activities"]]


def test_every_state_change_writes_its_activity(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, title="Dishes", reward="2.50", assignee_ids=[kid.id])
    assignment = complete(api, kid, created["id"])
    reject(api, home.parent, assignment["id"], "greasy")
    complete(api, kid, created["id"])
    approve(api, home.parent, assignment["id"])
    adjustment = api.post(
        "/adjustments/", home.parent, json={"child_id": kid.id, "amount": "-1.00", "reason": "late"}
    ).json()
    payout = api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": "1.00", "note": "cash"}).json()
    api.post(f"/chores/{created['id']}/disable", home.parent)
    api.post(f"/chores/{created['id']}/enable", home.parent)
    api.put(f"/chores/{created['id']}", home.parent, json={"title": "Plates"})
    api.delete(f"/chores/{created['id']}", home.parent)

    feed = api.get("/activities/recent", home.parent, params={"limit": 50}).json()
    assert _types(feed) == [
        "chore_deleted",
        "chore_updated",
        "chore_enabled",
        "chore_disabled",
        "payout_recorded",
        "adjustment_applied",
        "chore_approved",
        "chore_completed",
        "chore_rejected",
        "chore_completed",
        "chore_created",
        "child_added",
    ]
    assert feed["total_count"] == 12 and feed["has_more"] is False
    by_type = {a["activity_type"]: a for a in feed["activities"]}
    assert by_type["chore_approved"]["activity_data"] == {
        "chore_id": created["id"],
        "chore_title": "Dishes",
        "reward_amount": 2.5,
    }
    assert by_type["chore_approved"]["user_id"] == home.parent.id
    assert by_type["chore_approved"]["target_user_id"] == kid.id
    assert by_type["chore_approved"]["target_user"]["username"] == kid.username
    assert by_type["chore_rejected"]["activity_data"]["rejection_reason"] == "greasy"
    assert by_type["chore_completed"]["user"]["id"] == kid.id
    assert by_type["adjustment_applied"]["activity_data"] == {
        "adjustment_id": adjustment["id"],
        "amount": -1,
        "reason": "late",
        "adjustment_type": "penalty",
    }
    assert by_type["payout_recorded"]["activity_data"] == {"payout_id": payout["id"], "amount": 1, "note": "cash"}


def test_a_child_sees_only_what_concerns_it(api):
    home = family(api, kids=2)
    a, b = home.kids
    mine = chore(api, home.parent, title="Mine", assignee_ids=[a.id])
    theirs = chore(api, home.parent, title="Theirs", assignee_ids=[b.id])
    complete(api, a, mine["id"])
    complete(api, b, theirs["id"])
    api.post("/adjustments/", home.parent, json={"child_id": b.id, "amount": 1, "reason": "x"})
    seen = api.get("/activities/recent", a).json()
    assert _types(seen) == ["chore_completed", "chore_created"]
    assert {x["activity_data"]["chore_title"] for x in seen["activities"]} == {"Mine"}
    assert api.get("/activities/recent", home.parent).json()["total_count"] == 7  # and the two children added
    other_id = next(
        x["id"]
        for x in api.get("/activities/recent", b).json()["activities"]
        if x["activity_type"] == "adjustment_applied"
    )
    assert api.get(f"/activities/{other_id}", a).status_code == 404
    assert api.get(f"/activities/{other_id}", b).status_code == 200
    assert api.get(f"/activities/{other_id}", home.parent).status_code == 200
    assert api.get(f"/activities/{other_id}", family(api, kids=0).parent).status_code == 404


def test_the_feed_is_paginated_and_filtered_by_type(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    for n in range(5):
        api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": n + 1, "reason": f"r{n}"})
    chore(api, home.parent, assignee_ids=[kid.id])
    first = api.get("/activities/recent", home.parent, params={"limit": 4}).json()
    second = api.get("/activities/recent", home.parent, params={"limit": 4, "offset": 4}).json()
    assert (len(first["activities"]), first["has_more"], first["total_count"]) == (4, True, 7)
    assert (len(second["activities"]), second["has_more"]) == (3, False)
    assert not {a["id"] for a in first["activities"]} & {a["id"] for a in second["activities"]}
    only = api.get("/activities/recent", home.parent, params={"activity_type": "adjustment_applied"}).json()
    assert only["total_count"] == 5 and set(_types(only)) == {"adjustment_applied"}
    assert api.get("/activities/recent", home.parent, params={"activity_type": "nope"}).status_code == 422
    assert api.get("/activities/recent", home.parent, params={"limit": 1000}).status_code == 422


def test_the_summary_counts_each_type_over_the_period(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    created = chore(api, home.parent, assignee_ids=[kid.id], is_recurring=True)
    approve(api, home.parent, complete(api, kid, created["id"])["id"])
    approve(api, home.parent, complete(api, kid, created["id"])["id"])
    summary = api.get("/activities/summary", home.parent, params={"days_back": 1}).json()
    assert summary == {
        "activity_counts": {"child_added": 1, "chore_created": 1, "chore_completed": 2, "chore_approved": 2},
        "total_activities": 6,
        "period_days": 1,
    }
    # The child was named in all of them but its own arrival (the chore was created for it alone).
    assert api.get("/activities/summary", kid).json()["total_activities"] == 5


def test_the_types_are_listed_with_descriptions(api):
    home = family(api, kids=0)
    body = api.get("/activities/types", home.parent).json()
    for expected in (
        "chore_completed",
        "chore_approved",
        "chore_rejected",
        "chore_created",
        "adjustment_applied",
        "payout_recorded",
    ):
        assert expected in body["activity_types"]
        assert body["descriptions"][expected]
