"""A family's first day, in a real browser, from an empty database.

A parent signs up, creates the family, two children and three chores; a child logs in and finishes
two; the parent approves one with a chosen amount and sends the other back with a reason; the child
sees the new balance and the reason. Screenshots of the main pages go to test-artifacts/screenshots/.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

PASSWORD = "sunny-days-42"
_run = itertools.count(1)


def sign_up_and_create_family(page: Page, username: str) -> None:
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/login$"))
    page.get_by_role("link", name="Create a parent account").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="Set up your family")).to_be_visible()
    page.get_by_label("Family name").fill("The Okafors")
    page.get_by_role("button", name="Create family").click()
    expect(page.get_by_role("heading", name="The Okafors")).to_be_visible()
    code = page.locator("#invite-code")
    expect(code).to_have_text(re.compile(r"^[A-Z2-9]{8}$"))
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == code.inner_text()


def add_child(page: Page, username: str) -> None:
    form = page.locator("#add-child")
    form.get_by_label("Username").fill(username)
    form.get_by_label("Password").fill(PASSWORD)
    form.get_by_role("button", name="Add child").click()
    expect(page.get_by_role("status")).to_contain_text(f"{username} can now log in")


def new_chore(
    page: Page, title: str, *, reward=None, reward_range=None, mode: str, children=(), repeat_days=None, shot=None
) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Chores").click()
    page.get_by_role("link", name=re.compile("New chore|Create the first chore")).first.click()
    page.get_by_label("What needs doing?").fill(title)
    if reward_range:
        page.get_by_label("A range").check()
        page.get_by_label("At least").fill(reward_range[0])
        page.get_by_label("At most").fill(reward_range[1])
    else:
        page.get_by_label("A fixed amount").check()
        page.get_by_label("How much?").fill(reward)
    page.get_by_label(mode).check()
    group = "Which child?" if mode == "One child" else "Which children?"
    for child in children:
        page.get_by_role("radiogroup" if mode == "One child" else "group", name=group).get_by_label(child).check()
    if repeat_days is not None:
        page.get_by_label("How often").select_option("after_completion")
        page.get_by_label("How many days after it is done?").fill(str(repeat_days))
    if shot:
        shot(page, "new-chore")
    page.get_by_role("button", name="Create chore").click()
    expect(page.get_by_role("status")).to_contain_text(f"“{title}” is ready")


def log_in(page: Page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def task(page: Page, title: str):
    return page.locator("li.task").filter(has=page.get_by_role("heading", name=title, exact=True))


def test_a_familys_first_day(new_page, screenshot, viewport):
    tag = f"{viewport[0]}{next(_run)}"
    mum, ada, ben = f"mum{tag}", f"ada{tag}", f"ben{tag}"

    parent = new_page()
    sign_up_and_create_family(parent, mum)
    add_child(parent, ada)
    add_child(parent, ben)
    screenshot(parent, "family")
    new_chore(parent, "Tidy your room", reward="2.00", mode="One child", children=[ada])
    new_chore(
        parent,
        "Wash the car",
        reward_range=("3", "8"),
        mode="Several children",
        children=[ada, ben],
        repeat_days=7,
        shot=screenshot,
    )
    new_chore(parent, "Feed the cat", reward="1.50", mode="Any child", repeat_days=1)
    expect(parent.locator("li.chore-card")).to_have_count(3)
    screenshot(parent, "chores")

    child = new_page()
    log_in(child, ada)
    expect(child.get_by_role("heading", name=f"Hi, {ada}!")).to_be_visible()
    to_do = child.locator("section", has=child.get_by_role("heading", name="To do now"))
    expect(to_do.locator("li.task")).to_have_count(3)
    for title in ("Wash the car", "Tidy your room"):
        task(child, title).get_by_role("button", name=re.compile("Done")).click()
        expect(child.get_by_role("status")).to_contain_text(f"“{title}” is waiting for a parent")
    waiting = child.locator("section", has=child.get_by_role("heading", name="Waiting for approval"))
    expect(waiting.locator("li.task")).to_have_count(2)
    expect(to_do.locator("li.task")).to_have_count(1)
    screenshot(child, "child-list-before-review")

    parent.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    expect(parent.get_by_role("heading", name="2 chores to review")).to_be_visible()
    screenshot(parent, "parent-dashboard")

    parent.get_by_role("link", name="Review now").click()
    expect(parent.get_by_role("heading", name="Approvals")).to_be_visible()
    car = parent.locator("li.review-card").filter(has_text="Wash the car")
    room = parent.locator("li.review-card").filter(has_text="Tidy your room")
    screenshot(parent, "approval-queue")

    car.get_by_label(re.compile(r"^How much")).fill("12")
    car.get_by_role("button", name="Approve").click()
    expect(car.locator(".error")).to_have_text(re.compile(r"between \$3.00 and \$8.00"))
    car.get_by_label(re.compile(r"^How much")).fill("6.50")
    car.get_by_role("button", name="Approve").click()
    expect(parent.get_by_role("status")).to_contain_text(f"{ada} earned $6.50")

    room.locator("summary", has_text="Send back").click()
    room.get_by_label("What should be done better?").fill("The bed is not made yet")
    room.get_by_role("button", name="Send back").click()
    expect(parent.get_by_role("status")).to_contain_text("Sent “Tidy your room” back")
    expect(parent.get_by_text("All caught up!")).to_be_visible()

    child.reload()
    expect(child.locator(".balance-chip-value")).to_have_text("$6.50")
    room_task = task(child, "Tidy your room")
    expect(room_task.locator(".sent-back")).to_contain_text("The bed is not made yet")
    later = child.locator("section", has=child.get_by_role("heading", name="Available again soon"))
    expect(later.locator("li.task").filter(has_text="Wash the car")).to_contain_text("Again")
    screenshot(child, "child-list")

    child.get_by_role("navigation", name="Main").get_by_role("link", name="My money").click()
    expect(child.locator(".balance-value")).to_have_text("$6.50")
    expect(child.get_by_text("“The bed is not made yet”")).to_be_visible()
    screenshot(child, "child-money")

    parent.get_by_role("navigation", name="Main").get_by_role("link", name="Home").click()
    parent.locator(".kid-card", has_text=ada).get_by_role("link").click()
    expect(parent.locator(".balance-value")).to_have_text("$6.50")
    bonus = parent.locator("form#adjustment")
    bonus.get_by_role("radio", name="Bonus").check()
    bonus.get_by_label("How much?").fill("1")
    bonus.get_by_label("Reason").fill("Helped with the groceries")
    bonus.get_by_role("button", name="Save").click()
    expect(parent.locator(".balance-value")).to_have_text("$7.50")
    payout = parent.locator("form#payout")
    payout.get_by_label("How much did you give?").fill("20")
    payout.get_by_role("button", name="Record payout").click()
    expect(payout.locator(".error")).to_contain_text("a payout cannot be more than that")
    payout.get_by_label("How much did you give?").fill("5")
    payout.get_by_label("Note").fill("Cash for the cinema")
    payout.get_by_role("button", name="Record payout").click()
    expect(parent.locator(".balance-value")).to_have_text("$2.50")
    expect(parent.locator(".ledger-row")).to_have_count(3)
    screenshot(parent, "parent-child-money")

    parent.get_by_role("navigation", name="Main").get_by_role("link", name="Report").click()
    expect(parent.locator("svg.bar-chart:visible rect.chart-bar")).to_have_count(1)
    ada_row = parent.get_by_role("row").filter(has_text=ada)
    expect(ada_row).to_contain_text("$6.50")
    expect(ada_row).to_contain_text("$2.50")
    screenshot(parent, "report")
    with parent.expect_download() as download:
        parent.get_by_role("link", name="Download CSV").click()
    csv_text = download.value.path().read_text()
    assert re.search(rf"^\d+,{ada},1,6\.50,1\.00,5\.00,2\.50,0\.00,", csv_text, re.MULTILINE), csv_text
