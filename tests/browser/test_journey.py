"""A family's first day, in a real browser, from an empty database."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

PASSWORD = "sunny-days-42"
_run = itertools.count(1)


def test_a_family_gets_going(new_page, screenshot, viewport):
    tag = f"{viewport[:1]}{next(_run)}"
    parent = new_page()
    parent.goto("/")
    expect(parent).to_have_url(re.compile(r"/login$"))
    parent.get_by_role("link", name="Create a parent account").click()
    parent.get_by_label("Username").fill(f"mum{tag}")
    parent.get_by_label("Password").fill(PASSWORD)
    parent.get_by_role("button", name="Create account").click()
    expect(parent.get_by_role("heading", name="Set up your family")).to_be_visible()
    parent.get_by_label("Family name").fill("The Okafors")
    parent.get_by_role("button", name="Create family").click()
    expect(parent.get_by_role("heading", name="The Okafors")).to_be_visible()
    for child in ("ada", "ben"):
        parent.get_by_label("Username").fill(f"{child}{tag}")
        parent.get_by_label("Password", exact=True).fill(PASSWORD)
        parent.get_by_role("button", name="Add child").click()
        expect(parent.get_by_role("status")).to_contain_text(f"{child}{tag} can now log in")
    screenshot(parent, "family")
