"""Keyboard users can see where they are and skip straight to the content."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_keyboard_focus_is_visible_and_the_skip_link_comes_first(new_page):
    page = new_page()
    page.goto("/login")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    username = page.get_by_label("Username")
    username.focus()
    outline = username.evaluate("el => getComputedStyle(el).outlineStyle + ' ' + getComputedStyle(el).outlineWidth")
    assert outline.startswith("solid") and not outline.endswith(" 0px"), outline
    button = page.get_by_role("button", name="Log in")
    page.keyboard.press("Tab")  # password
    page.keyboard.press("Tab")  # the button
    expect(button).to_be_focused()
    assert button.evaluate("el => getComputedStyle(el).outlineStyle") == "solid"


def test_every_field_has_a_label(new_page):
    page = new_page()
    page.goto("/signup")
    for field in page.locator("input:not([type=hidden]), select, textarea").all():
        field_id = field.get_attribute("id")
        assert field_id and page.locator(f"label[for='{field_id}']").count() == 1, field_id
