"""Issue 14's "Done when", in a real browser at phone size, everything tapped as a person would:
a parent gives a child a name, a PIN and a bonus, puts a reward in the catalogue and turns the
browser (the kitchen tablet) into the family device; the child signs in there with the PIN and asks
for the reward (balance, reserved and available change); the parent approves it on their own phone;
then the balance, the reservation (gone) and the activity feed agree, on the pages and in the API
(the same numbers); then the parent records a payout by mistake, undoes it, and the balance is back.

Money fields are found by their ids (their words are being reworded and translated); buttons, links
and messages by what a person reads.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import APIRequestContext, Page, expect

from tests.browser.test_device_journey import child_card
from tests.browser.test_journey import PASSWORD, _run, add_child, log_in, sign_up_and_create_family

pytestmark = pytest.mark.browser

PIN = "8642"
NAME = "Ada"
REWARD = "Cinema trip"


def api_token(request: APIRequestContext, username: str) -> str:
    answer = request.post("/api/v1/users/login", form={"username": username, "password": PASSWORD})
    assert answer.ok, answer.text()
    return answer.json()["access_token"]


def api_get(request: APIRequestContext, token: str, path: str):
    answer = request.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {token}"})
    assert answer.ok, (path, answer.text())
    return answer.json()


def figures(page: Page) -> dict[str, str]:
    """The child's Rewards page: what it can spend, its balance and what is kept for its claims."""
    card = page.get_by_role("region", name="Your money")
    return {
        "available": card.locator("[data-available]").inner_text().strip(),
        "balance": card.locator("[data-balance]").inner_text().strip(),
        "reserved": card.locator("[data-reserved]").inner_text().strip(),
    }


def dollars(amount: object) -> str:
    return f"${Decimal(str(amount)):.2f}"


def open_money_page(parent: Page) -> None:
    parent.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    parent.locator("a.kid-link", has_text=NAME).click()
    expect(parent.get_by_role("heading", name=NAME, level=1)).to_be_visible()


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_child_claims_a_reward_on_the_family_device_and_the_parent_approves_and_undoes_a_payout(
    new_page, screenshot, viewport
):
    run = next(_run)
    mum, kid = f"lifemum{run}", f"lifekid{run}"

    # The kitchen tablet: the parent sets the family up on it.
    tablet: Page = new_page()
    sign_up_and_create_family(tablet, mum)
    add_child(tablet, kid)
    card = child_card(tablet, kid)
    card.get_by_text("Name and avatar").click()
    card.get_by_label("Name shown in the family").fill(NAME)
    card.get_by_label("Avatar").select_option("🦊")
    card.get_by_role("button", name="Save").click()
    expect(tablet.get_by_role("status")).to_contain_text(f"Saved: {NAME}.")
    card = child_card(tablet, NAME)
    card.get_by_text("PIN for the family device").click()
    card.get_by_label(f"PIN for {NAME}").fill(PIN)
    card.get_by_role("button", name="Set PIN").click()
    expect(tablet.get_by_role("status")).to_contain_text(f"{NAME} can now sign in on the family device")

    # A reward in the catalogue.
    tablet.get_by_role("navigation", name="Main").get_by_role("link", name="Rewards").click()
    new_reward = tablet.locator("#new-reward")
    new_reward.locator("#reward-title").fill(REWARD)
    new_reward.locator("#reward-cost").fill("4.00")
    new_reward.locator("#reward-stock").fill("3")
    new_reward.get_by_role("button", name="Add").click()
    expect(tablet.get_by_role("status")).to_contain_text(f"Added {REWARD} for $4.00.")
    expect(tablet.locator("section", has_text="The catalogue")).to_contain_text("3 left")

    # Money to spend: a bonus, on the child's money page.
    open_money_page(tablet)
    bonus = tablet.locator("#adjustment")
    bonus.get_by_role("radio", name=re.compile("^Bonus")).check()
    bonus.locator("#adjustment-amount").fill("10")
    bonus.locator("#adjustment-reason").fill("Birthday")
    bonus.get_by_role("button", name="Save").click()
    expect(tablet.get_by_role("status")).to_contain_text(f"{NAME} got a bonus of $10.00.")
    expect(tablet.locator(".balance-value")).to_have_text("$10.00")

    # The tablet becomes the family device; the parent signs out of it.
    tablet.goto("/family#devices")
    devices = tablet.locator("#devices")
    devices.get_by_label("Name of this device").fill("Kitchen tablet")
    devices.get_by_role("button", name="Make it a family device").click()
    expect(tablet.get_by_role("status")).to_contain_text("This browser is now the family device")
    tablet.get_by_role("button", name="Log out").click()

    # The child taps its name, types the PIN, and asks for the reward.
    expect(tablet.get_by_role("heading", name="Who is signing in?")).to_be_visible()
    tablet.get_by_role("link", name=NAME).click()
    tablet.get_by_label("PIN").fill(PIN)
    tablet.get_by_role("button", name="Sign in").click()
    expect(tablet.get_by_role("heading", name=f"Hi, {NAME}!")).to_be_visible()
    tablet.get_by_role("navigation", name="Main").get_by_role("link", name="Rewards").click()
    assert figures(tablet) == {"available": "$10.00", "balance": "$10.00", "reserved": "$0.00"}
    tablet.get_by_role("button", name=re.compile(f"^Ask for it.*{REWARD}")).click()
    expect(tablet.get_by_role("status")).to_contain_text(f"Asked for {REWARD}: $4.00 is kept for it")
    assert figures(tablet) == {"available": "$6.00", "balance": "$10.00", "reserved": "$4.00"}
    claims = tablet.locator("section", has=tablet.get_by_role("heading", name="What you asked for"))
    expect(claims).to_contain_text("waiting for a parent")
    screenshot(tablet, "family-life-claimed")
    kid_token = api_token(tablet.request, kid)
    assert api_get(tablet.request, kid_token, "/rewards/money") == {"balance": 10, "reserved": 4, "available": 6}

    # The parent, on their own phone, approves it.
    phone: Page = new_page()
    log_in(phone, mum)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Rewards").click()
    review = phone.locator("li.review-card", has_text=REWARD)
    expect(review).to_contain_text(f"{NAME} asks for {REWARD}")
    review.get_by_role("button", name="Approve $4.00").click()
    expect(phone.get_by_role("status")).to_contain_text(f"Approved: {REWARD}, $4.00 taken from the balance.")
    expect(phone.get_by_text("No claims waiting.")).to_be_visible()
    expect(phone.locator("section", has_text="The catalogue")).to_contain_text("2 left")

    # The balance, the reservation (gone) and the feed agree, on the pages and in the API.
    tablet.reload()
    assert figures(tablet) == {"available": "$6.00", "balance": "$6.00", "reserved": "$0.00"}
    expect(claims).to_contain_text("yes!")
    money = api_get(tablet.request, kid_token, "/rewards/money")
    assert money == {"balance": 6, "reserved": 0, "available": 6}
    assert api_get(tablet.request, kid_token, "/users/me/balance")["balance"] == money["balance"]
    assert api_get(tablet.request, kid_token, "/rewards/claims")[0]["status"] == "approved"

    mum_token = api_token(phone.request, mum)
    [child] = [c for c in api_get(phone.request, mum_token, "/users/my-family-children") if c["username"] == kid]
    entries = api_get(phone.request, mum_token, f"/ledger/child/{child['id']}")
    assert sum(Decimal(e["balance_effect"]) for e in entries) == Decimal("6.00")
    [debit] = [e for e in entries if e["note"] == f"Reward: {REWARD}"]
    assert Decimal(debit["balance_effect"]) == Decimal("-4.00")
    feed = api_get(phone.request, mum_token, "/activities/recent")["activities"]
    kinds = [a["activity_type"] for a in feed]
    assert kinds.index("reward_approved") < kinds.index("reward_claimed") < kinds.index("adjustment_applied")
    approved = next(a for a in feed if a["activity_type"] == "reward_approved")
    assert approved["target_user_id"] == child["id"] and "-4.00" in approved["description"]
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    phone.get_by_role("link", name="See all").click()
    items = phone.locator("li.activity")
    expect(items.nth(0)).to_contain_text(f"approved '{REWARD}' for {NAME}: -4.00")
    expect(items.nth(1)).to_contain_text(f"{NAME} claimed '{REWARD}' for 4.00")
    open_money_page(phone)
    expect(phone.locator(".balance-value")).to_have_text(dollars(money["balance"]))
    history = phone.locator("section", has=phone.get_by_role("heading", name="History"))
    expect(history.locator("li.ledger-row").first).to_contain_text(f"Reward: {REWARD}")
    expect(history.locator("li.ledger-row").first).to_contain_text("−$4.00")

    # A payout recorded by mistake, then undone: the balance is back.
    payout = phone.locator("#payout")
    payout.locator("#payout-amount").fill("6.00")
    payout.locator("#payout-note").fill("Cash")
    payout.get_by_role("button", name="Record payout").click()
    expect(phone.get_by_role("status")).to_contain_text(f"Recorded: you gave {NAME} $6.00.")
    expect(phone.locator(".balance-value")).to_have_text("$0.00")
    row = history.locator("li.ledger-row").first
    expect(row).to_contain_text("Payout: Cash")
    phone.once("dialog", lambda dialog: dialog.accept())  # "Reverse this −$6.00? ..."
    row.get_by_role("button", name=re.compile("^Undo")).click()
    expect(phone.get_by_role("status")).to_contain_text(f"Reversed: $6.00 for {NAME}.")
    expect(phone.locator(".balance-value")).to_have_text("$6.00")
    expect(history.locator("li.ledger-reversed")).to_contain_text("Payout: Cash")
    screenshot(phone, "family-life-undone")

    assert api_get(tablet.request, kid_token, "/users/me/balance")["balance"] == 6
    assert api_get(tablet.request, kid_token, "/rewards/money") == {"balance": 6, "reserved": 0, "available": 6}
    entries = api_get(phone.request, mum_token, f"/ledger/child/{child['id']}")
    assert sum(Decimal(e["balance_effect"]) for e in entries) == Decimal("6.00")
    feed = api_get(phone.request, mum_token, "/activities/recent")["activities"]
    assert [a["activity_type"] for a in feed][:2] == ["entry_reversed", "payout_recorded"]
    tablet.reload()
    assert figures(tablet) == {"available": "$6.00", "balance": "$6.00", "reserved": "$0.00"}
    tablet.get_by_role("navigation", name="Main").get_by_role("link", name="My chores").click()
    expect(tablet.locator(".balance-chip-value")).to_have_text("$6.00")
