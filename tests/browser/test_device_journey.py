"""Kid sign-in on a shared device (issue 14, point 7), in a real browser at phone size: a parent
gives a child a name, an avatar and a PIN, turns this browser into the family device, and signs
out; the sign-in page now shows the child as a big button; the child taps it, mistypes the PIN,
types it right and sees their home. Then the parent revokes the device and the picker is gone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import PASSWORD, _run, add_child, sign_up_and_create_family

pytestmark = pytest.mark.browser

PIN = "3579"


def child_card(page: Page, name: str):
    return page.locator("#children li.person").filter(has=page.locator(".person-name", has_text=name))


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_child_signs_in_on_the_family_device_with_a_pin(new_page, screenshot, viewport):
    run = next(_run)
    parent_name, kid_name = f"devmum{run}", f"devkid{run}"
    page: Page = new_page()
    sign_up_and_create_family(page, parent_name)
    add_child(page, kid_name)

    card = child_card(page, kid_name)
    card.get_by_text("Name and avatar").click()
    card.get_by_label("Name shown in the family").fill("Ada")
    card.get_by_label("Avatar").select_option("🦊")
    card.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved: Ada.")

    card = child_card(page, "Ada")
    card.get_by_text("PIN for the family device").click()
    card.get_by_label("PIN for Ada").fill(PIN)
    card.get_by_role("button", name="Set PIN").click()
    expect(page.get_by_role("status")).to_contain_text("Ada can now sign in on the family device with the new PIN.")

    devices = page.locator("#devices")
    devices.get_by_label("Name of this device").fill("Kitchen tablet")
    devices.get_by_role("button", name="Make it a family device").click()
    expect(page.get_by_role("status")).to_contain_text("This browser is now the family device “Kitchen tablet”")
    expect(page.locator("#devices")).to_contain_text("this browser")
    expect(page.locator("#devices")).to_contain_text("Not used yet")
    # The device's cookie is for the server alone: no script of the page can read it.
    assert "ct_device" not in page.evaluate("document.cookie")
    cookie = next(c for c in page.context.cookies() if c["name"] == "ct_device")
    assert cookie["httpOnly"] and cookie["value"].startswith("ctdev_")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("heading", name="Who is signing in?")).to_be_visible()
    button = page.get_by_role("link", name="Ada")
    expect(button).to_be_visible()
    expect(button).to_contain_text("🦊")
    assert kid_name not in page.locator(".device-picker").inner_text()  # the username is not shown
    box = button.bounding_box()
    assert box is not None and box["height"] >= 100, box  # big enough for small fingers
    screenshot(page, "device-picker")

    button.click()
    expect(page.get_by_role("heading", name="Hi, Ada!")).to_be_visible()
    page.get_by_label("PIN").fill("1234")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("That PIN is not right. Try again.")
    page.get_by_label("PIN").fill(PIN)
    screenshot(page, "device-pin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Hi, Ada!")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("My money"))).to_have_count(2)  # the chip and the menu
    expect(page.get_by_role("status")).to_contain_text("Hi, Ada!")

    # The child signs out; the parent signs in with the password (folded under the picker) and revokes.
    page.get_by_role("button", name="Log out").click()
    page.get_by_text("Parents: sign in with a password").click()
    page.get_by_label("Username").fill(parent_name)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto("/family#devices")
    expect(page.locator("#devices")).to_contain_text("Last used")
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#devices").get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("The device is revoked")
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("heading", name="Who is signing in?")).to_have_count(0)
