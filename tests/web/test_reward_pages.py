"""Rewards on the pages: a parent adds rewards and reviews claims; a child sees what it can spend,
asks for a reward, cancels, and sets a savings goal."""

from __future__ import annotations

import re

from tests.web.conftest import field_error, user_id


def _family(visitor, app) -> tuple:
    """A parent, its child's browser; the child was given 6.00."""
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    kid = user_id(app, name)
    given = parent.api("POST", "/adjustments/", json={"child_id": kid, "amount": "6", "reason": "savings"})
    assert given.status_code == 201
    child = visitor()
    child.log_in(name)
    return parent, child


def _money(html: str) -> tuple[str, str, str]:
    found = [re.search(rf"data-{what}>([^<]*)<", html) for what in ("available", "balance", "reserved")]
    return tuple(match.group(1) if match else "" for match in found)  # type: ignore[return-value]


def test_a_child_asks_for_a_reward_and_a_parent_approves_it_on_the_pages(visitor, app):
    parent, child = _family(visitor, app)
    parent.get("/rewards")
    refused = parent.submit("/rewards/new", {"title": "", "cost": "x"})
    assert refused.status_code == 422 and field_error(refused.text, "reward-title")
    parent.submit("/rewards/new", {"title": "Cinema", "cost": "5", "stock": "", "limit_count": ""})
    assert parent.flash() == "Added Cinema for $5.00."
    parent.submit("/rewards/new", {"title": "Bike", "cost": "50"})

    page = child.get("/me/rewards").text
    assert _money(page) == ("$6.00", "$6.00", "$0.00")
    actions = re.findall(r'action="(/me/rewards/\d+/claim)"', page)
    assert len(actions) == 1  # the bike is out of reach: no button
    assert "$44.00 more to go" in page
    child.submit(actions[0])
    assert child.flash().startswith("Asked for Cinema")
    assert _money(child.page.text) == ("$1.00", "$6.00", "$5.00")

    review = parent.get("/rewards").text
    [approve] = re.findall(r'action="(/rewards/claims/\d+/approve)"', review)
    parent.submit(approve)
    assert parent.flash() == "Approved: Cinema, $5.00 taken from the balance."
    assert _money(child.get("/me/rewards").text) == ("$1.00", "$1.00", "$0.00")
    assert "yes!" in child.page.text


def test_a_claim_is_declined_with_a_reason_or_cancelled_on_the_pages(visitor, app):
    parent, child = _family(visitor, app)
    parent.get("/rewards")
    parent.submit(
        "/rewards/new", {"title": "Park", "cost": "1", "stock": "2", "limit_count": "1", "limit_period": "month"}
    )
    child.get("/me/rewards")
    [ask] = re.findall(r'action="(/me/rewards/\d+/claim)"', child.page.text)
    child.submit(ask)
    child.submit(ask)
    assert "1 times a month" in child.flash()
    review = parent.get("/rewards").text
    [decline] = re.findall(r'action="(/rewards/claims/\d+/decline)"', review)
    assert parent.submit(decline, {"reason": " "}).status_code == 422
    parent.submit(decline, {"reason": "rain"})
    assert parent.flash() == "Declined: Park. The money is free again."
    assert "no: rain" in child.get("/me/rewards").text
    child.submit(ask)
    [cancel] = re.findall(r'action="(/me/rewards/claims/\d+/cancel)"', child.page.text)
    child.submit(cancel)
    assert child.flash() == "Cancelled: Park. The money is free again."
    [hide] = re.findall(r'action="(/rewards/\d+/toggle)"', parent.get("/rewards").text)
    parent.submit(hide)
    assert parent.flash() == "Park is hidden from the children."
    assert "/claim" not in child.get("/me/rewards").text


def test_a_child_sets_a_savings_goal_on_its_rewards_page(visitor, app):
    _parent, child = _family(visitor, app)
    child.get("/me/rewards")
    refused = child.submit("/me/goals", {"title": "Bike", "target": "0"})
    assert refused.status_code == 422 and field_error(refused.text, "goal-target")
    child.submit("/me/goals", {"title": "Bike", "target": "12"})
    assert child.flash() == "New goal: Bike."
    assert "$6.00 of $12.00 (50%)" in child.page.text
    assert "at the rate of the last 28 days" in child.page.text


def test_a_parent_sets_a_childs_allowance_and_goal_on_its_money_page(visitor, app):
    parent, child = _family(visitor, app)
    kid = parent.api("GET", "/users/my-family-children").json()[0]["id"]
    parent.get(f"/children/{kid}")
    refused = parent.submit(f"/children/{kid}/allowance", {"amount": "2", "period": "month", "day_of_month": "32"})
    assert refused.status_code == 422 and field_error(refused.text, "allowance-day")
    parent.submit(f"/children/{kid}/allowance", {"amount": "2", "period": "month", "day_of_month": "31", "at": "07:30"})
    assert parent.flash().endswith("gets $2.00 each month.")
    [shown] = re.findall(r"data-allowance>([^<]*)<", parent.page.text)
    assert shown.startswith("$2.00 each month on day 31 at 07:30 · next")
    assert parent.api("GET", "/allowances").json()[0]["day_of_month"] == 31
    [told] = re.findall(r"data-allowance>(.*?)</p>", child.get("/me/rewards").text, re.DOTALL)
    assert "Allowance: $2.00 each month on day 31 at 07:30 · next" in told
    parent.submit(f"/children/{kid}/goals", {"title": "Bike", "target": "12"})
    assert "Bike: $6.00 of $12.00 (50%)" in parent.page.text
    parent.submit(f"/children/{kid}/allowance/stop")
    assert parent.api("GET", "/allowances").json() == []


def test_a_reward_debit_reads_as_the_reward_in_the_childs_history(visitor, app):
    parent, child = _family(visitor, app)
    kid = parent.api("GET", "/users/my-family-children").json()[0]["id"]
    made = parent.api("POST", "/rewards", json={"title": "Zoo", "cost": "2"}).json()
    claim = child.api("POST", f"/rewards/{made['id']}/claim").json()
    assert parent.api("POST", f"/rewards/claims/{claim['id']}/approve").status_code == 200
    page = parent.get(f"/children/{kid}").text
    assert "Reward: Zoo" in page and "Penalty: Reward" not in page
    assert 'ledger-row ledger-reward"' in page
