"""A child marks a chore done; the parent's notification centre, open all along, shows it without a
reload (the bell's poll), and the parent approves from the signed link."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import add_child, log_in, new_chore, sign_up_and_create_family, task

pytestmark = pytest.mark.browser

_run = itertools.count(1)


def test_the_parent_sees_a_chore_done_without_a_reload_and_approves_from_the_link(new_page, viewport):
    tag = f"n{viewport[0]}{next(_run)}"
    mum, kid = f"mum{tag}", f"kid{tag}"
    parent = new_page()
    sign_up_and_create_family(parent, mum)
    add_child(parent, kid)
    new_chore(parent, "Water the tomatoes", reward="1.25", mode="One child", children=[kid])
    parent.goto("/notifications")
    expect(parent.get_by_text("Nothing yet")).to_be_visible()
    parent.evaluate("window.__sameDocument = true")

    child = new_page()
    log_in(child, kid)
    task(child, "Water the tomatoes").get_by_role("button", name=re.compile("Done")).click()
    expect(child.get_by_role("status")).to_contain_text("is waiting for a parent")

    centre = parent.locator("[data-notification-list]")
    expect(centre).to_contain_text("Water the tomatoes", timeout=15_000)
    expect(parent.locator(".notify-bell .badge")).to_contain_text("1")
    assert parent.evaluate("window.__sameDocument") is True, "the page was not reloaded"

    centre.get_by_role("link", name="Approve").click()
    expect(parent.get_by_role("heading", name="Approve “Water the tomatoes”?")).to_be_visible()
    parent.get_by_role("button", name="Approve").click()
    expect(parent.get_by_role("status")).to_contain_text("Approved")

    child.goto("/")
    expect(child.locator(".balance-chip-value")).to_have_text("$1.25")
