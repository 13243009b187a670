"""The money ledger: adjustments (bonuses, penalties), payouts and balances, exact to the cent."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.support.family import approve, chore, complete, family


def test_a_bonus_and_a_penalty_change_the_balance(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    bonus = api.post(
        "/adjustments/", home.parent, json={"child_id": kid.id, "amount": "5.00", "reason": "helped grandma"}
    )
    assert bonus.status_code == 201
    assert bonus.json()["amount"] == "5.00"
    assert bonus.json()["parent_id"] == home.parent.id
    assert bonus.json()["reason"] == "helped grandma"
    penalty = api.post(
        "/adjustments/", home.parent, json={"child_id": kid.id, "amount": -1.5, "reason": "bike in the rain"}
    )
    assert penalty.status_code == 201 and penalty.json()["amount"] == "-1.50"
    balance = api.get("/users/me/balance", kid).json()
    assert (balance["adjustments"], balance["balance"]) == (3.5, 3.5)
    total = api.get(f"/adjustments/total/{kid.id}", home.parent).json()
    assert total == {"child_id": kid.id, "total_adjustments": "3.50", "currency": "USD"}


def test_adjustments_are_listed_newest_first_and_paginated(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    for n in range(1, 4):
        api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": n, "reason": f"r{n}"})
    listed = api.get(f"/adjustments/child/{kid.id}", home.parent).json()
    assert [a["reason"] for a in listed] == ["r3", "r2", "r1"]
    page = api.get(f"/adjustments/child/{kid.id}", home.parent, params={"skip": 1, "limit": 1}).json()
    assert [a["reason"] for a in page] == ["r2"]
    assert api.get(f"/adjustments/child/{kid.id}", home.parent, params={"limit": 0}).status_code == 422


def test_invalid_adjustments_are_refused_and_nothing_is_written(api, app):
    from chores_tracker.ledger.models import LedgerEntry

    home = family(api, kids=1)
    kid = home.kids[0]
    bad_bodies = [
        {"child_id": kid.id, "amount": 0, "reason": "nothing"},
        {"child_id": kid.id, "amount": "0.00", "reason": "nothing"},
        {"child_id": kid.id, "amount": "1.001", "reason": "too precise"},
        {"child_id": kid.id, "amount": 0.30000000000000004, "reason": "float noise"},
        {"child_id": kid.id, "amount": "1e9", "reason": "too much"},
        {"child_id": kid.id, "amount": "abc", "reason": "not a number"},
        {"child_id": kid.id, "amount": 1, "reason": "   "},
        {"child_id": kid.id, "amount": 1},
    ]
    for body in bad_bodies:
        assert api.post("/adjustments/", home.parent, json=body).status_code == 422, body
    assert (
        api.post(
            "/adjustments/", home.parent, json={"child_id": home.parent.id, "amount": 1, "reason": "x"}
        ).status_code
        == 404
    )
    with app.state.session_factory() as session:
        assert session.scalar(select(func.count()).select_from(LedgerEntry)) == 0


def test_amounts_add_up_exactly_to_the_cent(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    ten_cents = chore(api, home.parent, reward="0.10", assignee_ids=[kid.id], is_recurring=True)
    for _ in range(3):
        approve(api, home.parent, complete(api, kid, ten_cents["id"])["id"])
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "0.20", "reason": "x"})
    balance = api.get("/users/me/balance", kid).json()
    assert balance["total_earned"] == 0.3  # 0.1 + 0.1 + 0.1 would not be, in floats
    assert balance["balance"] == 0.5


def test_a_payout_lowers_the_balance_and_is_listed(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "10.00", "reason": "birthday"})
    paid = api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": "4.25", "note": "cash"})
    assert paid.status_code == 201
    assert (paid.json()["amount"], paid.json()["note"], paid.json()["parent_id"]) == ("4.25", "cash", home.parent.id)
    api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": 1})
    balance = api.get("/users/me/balance", kid).json()
    assert (balance["paid_out"], balance["balance"]) == (5.25, 4.75)
    listed = api.get(f"/payouts/child/{kid.id}", home.parent).json()
    assert [(p["amount"], p["note"]) for p in listed] == [("1.00", None), ("4.25", "cash")]
    summary = api.get("/users/allowance-summary", home.parent).json()
    assert summary == [
        {
            "id": kid.id,
            "username": kid.username,
            "completed_chores": 0,
            "total_earned": 0,
            "total_adjustments": 10,
            "paid_out": 5.25,
            "balance_due": 4.75,
        }
    ]


def test_a_payout_cannot_be_more_than_the_child_is_owed(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "3.00", "reason": "x"})
    too_much = api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": "3.01"})
    assert too_much.status_code == 422
    assert too_much.json()["detail"][0]["loc"] == ["body", "amount"]
    for bad in (0, -1, "0.001"):
        assert api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": bad}).status_code == 422
    assert api.post("/payouts/", home.parent, json={"child_id": kid.id, "amount": 3}).status_code == 201
    assert api.get("/users/me/balance", kid).json()["balance"] == 0


def test_a_parent_cannot_touch_another_familys_money(api):
    home = family(api, kids=1)
    elsewhere = family(api, kids=1)
    theirs = elsewhere.kids[0]
    for path, body in (
        ("/adjustments/", {"child_id": theirs.id, "amount": 1, "reason": "x"}),
        ("/payouts/", {"child_id": theirs.id, "amount": 1}),
    ):
        assert api.post(path, home.parent, json=body).status_code == 404
    for path in (f"/adjustments/child/{theirs.id}", f"/adjustments/total/{theirs.id}", f"/payouts/child/{theirs.id}"):
        assert api.get(path, home.parent).status_code == 404


def test_the_second_parent_acts_on_the_same_ledger(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    second = api.second_parent(home.parent)
    api.post("/adjustments/", second, json={"child_id": kid.id, "amount": 2, "reason": "x"})
    [entry] = api.get(f"/adjustments/child/{kid.id}", home.parent).json()
    assert entry["parent_id"] == second.id
