"""A whole family through the HTTP API, on each database; every figure is worked out by hand below.

Two parents (the second joins with the invite code), two children, three chores:
  Dishes  fixed 2.50, single (Ann), one-off
  Lawn    range 1.00-5.00, multi-independent (Ann, Ben), recurring, one-day cooldown
  Car     fixed 4.00, the pool
Ann:  Dishes rejected then redone and approved (2.50); Lawn approved at 3.75, then again after its
      cooldown at 1.25; bonus +1.50; payout 3.00.
      earned 7.50, adjustments +1.50, paid out 3.00, balance 6.00, 3 approved chores.
Ben:  Lawn approved at 5.00; takes the Car from the pool (Ann is too late) and is paid 4.00;
      penalty -0.75; Lawn done again after its cooldown, not yet reviewed (pending 1.00, its minimum).
      earned 9.00, adjustments -0.75, paid out 0, balance 8.25, 2 approved chores, pending 1.00.
Family: earned 16.50, adjustments +0.75, owed 14.25, 5 approved chores; this week's average 3.30.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.family import approve, chore, complete, let_cooldown_pass, parse_time, reject


def test_a_family_runs_a_week_of_chores(api, app):
    mum = api.parent(family_name="The Lees")
    dad = api.second_parent(mum)
    ann = api.child(mum, "ann")
    ben = api.child(dad, "ben")
    assert api.get("/families/members", dad).json()["total_members"] == 4

    dishes = chore(api, mum, title="Dishes", reward="2.50", assignment_mode="single", assignee_ids=[ann.id])
    lawn = chore(
        api,
        dad,
        title="Lawn",
        is_range_reward=True,
        min_reward="1.00",
        max_reward="5.00",
        assignment_mode="multi_independent",
        assignee_ids=[ann.id, ben.id],
        is_recurring=True,
        cooldown_days=1,
    )
    car = chore(api, mum, title="Car", reward=4, assignment_mode="unassigned", assignee_ids=[])

    available = api.get("/chores/available", ann).json()
    assert [x["chore"]["title"] for x in available["assigned"]] == ["Dishes", "Lawn"]
    assert [x["chore"]["title"] for x in available["pool"]] == ["Car"]
    assert available["total_count"] == 3

    # Dishes: rejected with a reason, redone, approved.
    first_try = complete(api, ann, dishes["id"])
    reject(api, dad, first_try["id"], "the pans are still dirty")
    [again] = [x for x in api.get("/chores/available", ann).json()["assigned"] if x["chore"]["id"] == dishes["id"]]
    assert again["assignment"]["rejection_reason"] == "the pans are still dirty"
    approve(api, mum, complete(api, ann, dishes["id"])["id"])

    # Lawn: both children, each paid the amount a parent chooses.
    ann_lawn = complete(api, ann, lawn["id"])
    ben_lawn = complete(api, ben, lawn["id"])
    queue = api.get("/chores/pending-approval", mum).json()
    assert sorted(item["assignee_name"] for item in queue) == ["ann", "ben"]
    approved = approve(api, mum, ann_lawn["id"], amount="3.75")
    approve(api, dad, ben_lawn["id"], amount=5)
    cooldown_end = parse_time(approved["assignment"]["approval_date"]) + timedelta(days=1)
    assert parse_time(approved["assignment"]["next_available_at"]) == cooldown_end
    assert api.post(f"/chores/{lawn['id']}/complete", ann).status_code == 409

    # Car: Ben takes it from the pool; Ann is too late.
    approve(api, dad, complete(api, ben, car["id"])["id"])
    assert api.post(f"/chores/{car['id']}/complete", ann).status_code == 409

    # A bonus, a penalty, a payout.
    assert (
        api.post(
            "/adjustments/", dad, json={"child_id": ann.id, "amount": "1.50", "reason": "helped grandma"}
        ).status_code
        == 201
    )
    assert (
        api.post(
            "/adjustments/", mum, json={"child_id": ben.id, "amount": "-0.75", "reason": "bike left out"}
        ).status_code
        == 201
    )
    assert (
        api.post("/payouts/", mum, json={"child_id": ann.id, "amount": "3.00", "note": "pocket money"}).status_code
        == 201
    )

    # A day later the lawn is due again: Ann is approved at 1.25, Ben's waits.
    let_cooldown_pass(app, lawn["id"], days=1)
    approve(api, dad, complete(api, ann, lawn["id"])["id"], amount="1.25")
    complete(api, ben, lawn["id"])

    # Balances.
    assert api.get("/users/me/balance", ann).json() == {
        "balance": 6.0,
        "total_earned": 7.5,
        "adjustments": 1.5,
        "paid_out": 3.0,
        "pending_chores_value": 0.0,
    }
    assert api.get("/users/me/balance", ben).json() == {
        "balance": 8.25,
        "total_earned": 9.0,
        "adjustments": -0.75,
        "paid_out": 0.0,
        "pending_chores_value": 1.0,
    }

    # Allowance summaries.
    expected_rows = [
        {
            "id": ann.id,
            "username": "ann",
            "completed_chores": 3,
            "total_earned": 7.5,
            "total_adjustments": 1.5,
            "paid_out": 3.0,
            "balance_due": 6.0,
        },
        {
            "id": ben.id,
            "username": "ben",
            "completed_chores": 2,
            "total_earned": 9.0,
            "total_adjustments": -0.75,
            "paid_out": 0.0,
            "balance_due": 8.25,
        },
    ]
    assert api.get("/users/allowance-summary", dad).json() == expected_rows
    report = api.get("/reports/allowance-summary", mum).json()
    assert report["family_summary"] == {
        "total_children": 2,
        "total_earned": 16.5,
        "total_adjustments": 0.75,
        "total_balance_due": 14.25,
        "total_completed_chores": 5,
        "period_start": None,
        "period_end": None,
    }
    for row, expected in zip(report["child_summaries"], expected_rows, strict=True):
        assert {k: row[k] for k in expected} == expected
    assert [row["pending_chores_value"] for row in report["child_summaries"]] == [0, 1.0]

    # Reward history: newest first, payouts are not rewards.
    history = api.get(f"/reports/reward-history/{ann.id}", dad).json()
    assert [(h["type"], h["amount"], h.get("chore_title") or h.get("reason")) for h in history] == [
        ("chore_earning", 1.25, "Lawn"),
        ("adjustment", 1.5, "helped grandma"),
        ("chore_earning", 3.75, "Lawn"),
        ("chore_earning", 2.5, "Dishes"),
    ]

    # The activity feed: the family's for a parent, its own for a child.
    family_feed = api.get("/activities/summary", mum, params={"days_back": 2}).json()
    assert family_feed["activity_counts"] == {
        "chore_created": 3,
        "chore_completed": 7,
        "chore_rejected": 1,
        "chore_approved": 5,
        "adjustment_applied": 2,
        "payout_recorded": 1,
        "invite_code_created": 1,
        "parent_joined": 1,
        "child_added": 2,
    }
    assert api.get("/activities/recent", mum).json()["total_count"] == 23
    ann_feed = api.get("/activities/summary", ann, params={"days_back": 2}).json()
    assert ann_feed["activity_counts"] == {
        "chore_created": 1,
        "chore_completed": 4,
        "chore_rejected": 1,
        "chore_approved": 3,
        "adjustment_applied": 1,
        "payout_recorded": 1,
    }
    newest = api.get("/activities/recent", ann, params={"limit": 1}).json()["activities"][0]
    assert (newest["activity_type"], newest["activity_data"]["reward_amount"]) == ("chore_approved", 1.25)

    # Weekly statistics: everything was earned now; two weeks cover a Monday falling mid-test.
    weeks = api.get("/statistics/weekly-summary", mum, params={"weeks_back": 2}).json()
    this_week = (datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())).isoformat()
    assert weeks[-1]["week_start"] == this_week
    busy = [w for w in weeks if w["completed_chores"]]
    assert sum(w["completed_chores"] for w in busy) == 5
    assert round(sum(w["total_earned"] for w in busy), 2) == 16.5
    assert round(sum(w["total_adjustments"] for w in weeks), 2) == 0.75
    assert round(sum(w["net_amount"] for w in weeks), 2) == 17.25
    if len(busy) == 1:
        assert (busy[0]["active_children"], busy[0]["average_per_chore"]) == (2, 3.3)

    # The family's own figures.
    stats = api.get("/families/stats", ann).json()
    assert (
        stats["total_chores"],
        stats["completed_chores"],
        stats["approved_chores"],
        stats["total_rewards_earned"],
    ) == (3, 6, 5, 16.5)
