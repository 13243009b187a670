"""Rewards: the catalogue, claims reserving their cost, approve (one ledger debit), decline, cancel."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from tests.support.api import Api, Person
from tests.support.family import family


def bonus(api: Api, parent: Person, kid: Person, amount: str) -> None:
    made = api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": amount, "reason": "savings"})
    assert made.status_code == 201, made.text


def reward(api: Api, parent: Person, **fields: object) -> dict:
    body: dict = {"title": "Cinema trip", "cost": "5.00", **fields}
    made = api.post("/rewards", parent, json=body)
    assert made.status_code == 201, made.text
    return made.json()


def claim(api: Api, kid: Person, reward_id: int, expected: int = 201) -> dict:
    made = api.post(f"/rewards/{reward_id}/claim", kid)
    assert made.status_code == expected, made.text
    return made.json()


def money(api: Api, kid: Person) -> tuple[float, float, float]:
    body = api.get("/rewards/money", kid).json()
    return body["balance"], body["reserved"], body["available"]


def test_a_claim_reserves_its_cost_and_an_approval_debits_it_once(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    bonus(api, home.parent, kid, "8.00")
    cinema = reward(api, home.parent, cost="5.50")
    assert cinema["cost"] == 5.5 and cinema["stock"] is None and cinema["is_active"] is True

    [seen] = api.get("/rewards", kid).json()
    assert seen["affordable"] is True
    made = claim(api, kid, cinema["id"])
    assert made["status"] == "pending" and made["cost"] == 5.5
    assert money(api, kid) == (8.0, 5.5, 2.5)
    assert api.get("/rewards", kid).json()[0]["affordable"] is False
    claim(api, kid, cinema["id"], expected=409)  # 5.50 > 2.50 available

    [waiting] = api.get("/rewards/claims", home.parent, params={"status": "pending"}).json()
    approved = api.post(f"/rewards/claims/{waiting['id']}/approve", home.parent)
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved" and approved.json()["ledger_entry_id"]
    assert money(api, kid) == (2.5, 0, 2.5)
    assert api.get("/users/me/balance", kid).json()["balance"] == 2.5
    # Once: a second approval, a decline or a cancel of the same claim is a conflict.
    assert api.post(f"/rewards/claims/{waiting['id']}/approve", home.parent).status_code == 409
    assert api.post(f"/rewards/claims/{waiting['id']}/cancel", kid).status_code == 409
    declined = api.post(f"/rewards/claims/{waiting['id']}/decline", home.parent, json={"reason": "no"})
    assert declined.status_code == 409
    entries = api.get(f"/ledger/child/{kid.id}", home.parent).json()
    debits = [e for e in entries if e["id"] == approved.json()["ledger_entry_id"]]
    assert [(e["kind"], e["amount"], e["note"]) for e in debits] == [("adjustment", "-5.50", "Reward: Cinema trip")]
    types = [a["activity_type"] for a in api.get("/activities/recent", home.parent).json()["activities"]]
    assert types[:2] == ["reward_approved", "reward_claimed"]
    told = [n["event"] for n in api.get("/notifications", kid).json()["notifications"]]
    assert "reward_approved" in told
    assert "reward_claimed" in [n["event"] for n in api.get("/notifications", home.parent).json()["notifications"]]


def test_a_reward_and_a_decided_claim_answer_every_field_of_the_contract(api):
    """The whole answers, key by key (the routes read them from the rows: a field misread fails here)."""
    home = family(api, kids=1)
    kid = home.kids[0]
    bonus(api, home.parent, kid, "8.00")
    made = reward(api, home.parent, cost="5.50", stock=2, limit_count=3, limit_period="week")
    assert made == {
        "id": made["id"],
        "title": "Cinema trip",
        "cost": 5.5,
        "stock": 2,
        "limit_count": 3,
        "limit_period": "week",
        "is_active": True,
        "created_at": made["created_at"],
        "affordable": None,
    }
    datetime.fromisoformat(made["created_at"])
    assert api.get("/rewards", kid).json() == [{**made, "affordable": True}]
    waiting = claim(api, kid, made["id"])
    decided = api.post(f"/rewards/claims/{waiting['id']}/decline", home.parent, json={"reason": "not today"})
    assert decided.status_code == 200, decided.text
    assert decided.json() == {
        "id": waiting["id"],
        "reward_id": made["id"],
        "child_id": kid.id,
        "reward_title": "Cinema trip",
        "cost": 5.5,
        "status": "declined",
        "created_at": waiting["created_at"],
        "decided_at": decided.json()["decided_at"],
        "decided_by": home.parent.id,
        "decline_reason": "not today",
        "ledger_entry_id": None,
    }
    assert datetime.fromisoformat(decided.json()["decided_at"]) >= datetime.fromisoformat(waiting["created_at"])
    assert api.get("/rewards/money", kid).json() == {"balance": 8.0, "reserved": 0.0, "available": 8.0}


def test_declining_or_cancelling_releases_the_reservation_and_the_stock(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    bonus(api, home.parent, kid, "10")
    lego = reward(api, home.parent, title="Lego", cost="4", stock=1)
    first = claim(api, kid, lego["id"])
    assert api.get("/rewards", home.parent).json()[0]["stock"] == 0
    claim(api, kid, lego["id"], expected=409)  # out of stock
    no_reason = api.post(f"/rewards/claims/{first['id']}/decline", home.parent, json={"reason": "  "})
    assert no_reason.status_code == 422
    declined = api.post(f"/rewards/claims/{first['id']}/decline", home.parent, json={"reason": "after homework"})
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "after homework"
    assert api.get("/rewards", home.parent).json()[0]["stock"] == 1
    assert money(api, kid) == (10, 0, 10)
    second = claim(api, kid, lego["id"])
    cancelled = api.post(f"/rewards/claims/{second['id']}/cancel", kid)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert api.get("/rewards", home.parent).json()[0]["stock"] == 1
    assert money(api, kid) == (10, 0, 10)
    assert api.get(f"/ledger/child/{kid.id}", home.parent).json()[0]["note"] == "savings"  # nothing debited
    types = [a["activity_type"] for a in api.get("/activities/recent", kid).json()["activities"]]
    assert types[:4] == ["reward_cancelled", "reward_claimed", "reward_declined", "reward_claimed"]


def test_the_per_child_limit_counts_the_week_in_the_familys_zone(api, app):
    from chores_tracker import clock

    home = family(api, kids=2)
    kid, sister = home.kids
    for child in home.kids:
        bonus(api, home.parent, child, "20")
    assert api.put("/families/timezone", home.parent, json={"timezone": "Pacific/Auckland"}).status_code == 200
    ice = reward(api, home.parent, title="Ice cream", cost="1", limit_count=2, limit_period="week")
    # Sunday 2026-11-29 10:00 UTC is Sunday 23:00 in Auckland; an hour later it is Monday there.
    with clock.told(datetime(2026, 11, 29, 10, 0, tzinfo=UTC)):
        claim(api, kid, ice["id"])
        claim(api, kid, ice["id"])
        claim(api, kid, ice["id"], expected=409)
        claim(api, sister, ice["id"])  # per child
    with clock.told(datetime(2026, 11, 29, 11, 0, tzinfo=UTC)):
        claim(api, kid, ice["id"])


def test_the_catalogue_is_the_parents_to_keep_and_inactive_rewards_are_hidden(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    assert api.post("/rewards", kid, json={"title": "x", "cost": 1}).status_code == 403
    bad = api.post("/rewards", home.parent, json={"title": "x", "cost": 1, "limit_count": 2})
    assert bad.status_code == 422
    assert api.post("/rewards", home.parent, json={"title": "x", "cost": 0}).status_code == 422
    assert api.post("/rewards", home.parent, json={"title": "x", "cost": "1.001"}).status_code == 422
    park = reward(api, home.parent, title="Park", cost="2")
    changed = api.put(f"/rewards/{park['id']}", home.parent, json={"is_active": False, "stock": 3})
    assert changed.status_code == 200 and changed.json()["stock"] == 3
    assert api.get("/rewards", kid).json() == []
    assert api.post(f"/rewards/{park['id']}/claim", kid).status_code == 404
    assert api.post(f"/rewards/{park['id']}/claim", home.parent).status_code == 403
    other = api.parent(family_name="Others")
    assert api.put(f"/rewards/{park['id']}", other, json={"title": "mine"}).status_code == 404
    assert api.get("/rewards", other).json() == []


def test_an_approval_the_balance_no_longer_covers_is_refused(api, app):
    from chores_tracker.rewards.models import RewardClaim

    home = family(api, kids=1)
    kid = home.kids[0]
    bonus(api, home.parent, kid, "5")
    book = reward(api, home.parent, title="Book", cost="5")
    made = claim(api, kid, book["id"])
    # The reservation keeps a payout from... nothing: payouts are the ledger's; a penalty lowers the balance.
    assert (
        api.post("/adjustments/", home.parent, json={"child_id": kid.id, "amount": "-1", "reason": "late"}).status_code
        == 201
    )
    refused = api.post(f"/rewards/claims/{made['id']}/approve", home.parent)
    assert refused.status_code == 409 and "no longer covers" in refused.text
    with app.state.session_factory() as session:
        assert session.scalar(select(RewardClaim.status).where(RewardClaim.id == made["id"])) == "pending"
