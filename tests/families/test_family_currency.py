"""The family's currency: chosen by the owner, with its minor units enforced on what is entered.

The contract's JSON amounts stay as they are; only the new `currency` field and what may be
entered change.
"""

from __future__ import annotations

import pytest

from tests.support.family import approve, chore, complete


def _family(api, who) -> dict:
    return api.get("/families/context", who).json()["family"]


def test_a_family_is_in_usd_until_its_owner_chooses_and_the_feed_says_so(api):
    owner = api.parent()
    kid = api.child(owner)
    assert _family(api, owner)["currency"] == "USD"
    response = api.put("/families/currency", owner, json={"currency": "eur"})
    assert response.status_code == 200, response.text
    assert response.json()["currency"] == "EUR"
    assert _family(api, kid)["currency"] == "EUR"
    api.put("/families/currency", owner, json={"currency": "EUR"})  # the same again: no second row
    feed = api.get("/activities/recent", owner, params={"activity_type": "currency_changed"}).json()
    assert [a["description"] for a in feed["activities"]] == [f"{owner.username} set the family's currency to EUR"]


def test_only_the_owner_chooses_the_currency(api):
    owner = api.parent()
    other = api.second_parent(owner)
    kid = api.child(owner)
    assert api.put("/families/currency", other, json={"currency": "GBP"}).status_code == 403
    assert api.put("/families/currency", kid, json={"currency": "GBP"}).status_code == 403
    assert _family(api, owner)["currency"] == "USD"


@pytest.mark.parametrize("code", ["KWD", "BHD", "XAU", "ZZZ", "US", "DOLLARS", "", 5])
def test_a_code_that_is_no_currency_or_has_three_decimals_is_refused_with_a_422(api, code):
    owner = api.parent()
    response = api.put("/families/currency", owner, json={"currency": code})
    assert response.status_code == 422, response.text
    assert [item["loc"][-1] for item in response.json()["detail"]] == ["currency"]
    assert _family(api, owner)["currency"] == "USD"


def test_in_yen_an_amount_with_decimals_is_refused_everywhere_it_is_entered(api):
    owner = api.parent()
    kid = api.child(owner)
    assert api.put("/families/currency", owner, json={"currency": "JPY"}).status_code == 200

    def refused(response, field: str) -> None:
        assert response.status_code == 422, response.text
        detail = response.json()["detail"]
        assert detail[0]["loc"][-1] == field and "JPY" in detail[0]["msg"], detail

    base = {"title": "Bins", "assignment_mode": "single", "assignee_ids": [kid.id]}
    refused(api.post("/chores", owner, json={**base, "reward": "150.50"}), "reward")
    refused(
        api.post("/chores", owner, json={**base, "is_range_reward": True, "min_reward": 100, "max_reward": 200.5}),
        "max_reward",
    )
    refused(api.post("/adjustments/", owner, json={"child_id": kid.id, "amount": "-0.5", "reason": "x"}), "amount")
    refused(api.post("/payouts/", owner, json={"child_id": kid.id, "amount": "1.25"}), "amount")
    assert api.get("/chores", owner).json() == []

    # Whole amounts are taken, and answered as the contract has them (JSON numbers).
    made = chore(api, owner, title="Bins", reward="150", assignee_ids=[kid.id])
    assert made["reward"] == 150
    ranged = chore(api, owner, title="Car", is_range_reward=True, min_reward=100, max_reward=500, assignee_ids=[kid.id])
    complete(api, kid, ranged["id"])
    slot = api.get("/chores/pending-approval", owner).json()[0]["assignment_id"]
    refused(api.post(f"/assignments/{slot}/approve", owner, json={"reward_value": "250.5"}), "reward_value")
    approve(api, owner, slot, 250)
    assert api.get("/users/me/balance", kid).json()["balance"] == 250
    bonus = api.post("/adjustments/", owner, json={"child_id": kid.id, "amount": "30", "reason": "kind"})
    assert bonus.status_code == 201 and bonus.json()["amount"] == "30.00"  # the contract's decimal string


def test_an_edit_checks_only_the_amounts_it_sends(api):
    """A chore made at 2.50 before the family chose yen can still be renamed."""
    owner = api.parent()
    kid = api.child(owner)
    made = chore(api, owner, title="Bins", reward="2.50", assignee_ids=[kid.id])
    api.put("/families/currency", owner, json={"currency": "JPY"})
    assert api.put(f"/chores/{made['id']}", owner, json={"title": "The bins"}).status_code == 200
    assert api.put(f"/chores/{made['id']}", owner, json={"reward": "3.50"}).status_code == 422
    assert api.get(f"/chores/{made['id']}", owner).json()["reward"] == 2.5


def test_a_missed_penalty_with_decimals_is_refused_in_yen(api):
    owner = api.parent()
    kid = api.child(owner)
    api.put("/families/currency", owner, json={"currency": "JPY"})
    schedule = {"kind": "daily", "missed_penalty_cents": 1050}
    body = {"title": "Bed", "reward": 100, "assignee_ids": [kid.id], "schedule": schedule}
    response = api.post("/chores", owner, json=body)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][-1] == "schedule.missed_penalty_cents"
    body["schedule"] = {**schedule, "missed_penalty_cents": 1000}
    assert api.post("/chores", owner, json=body).status_code == 201
