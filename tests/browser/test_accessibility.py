"""Keyboard users can see where they are and skip straight to the content; text is readable in the
light and the dark theme (the dark one follows the system setting, prefers-color-scheme)."""

from __future__ import annotations

from uuid import uuid4

import pytest
from playwright.sync_api import expect

from tests.browser.test_journey import sign_up_and_create_family

pytestmark = pytest.mark.browser

SCHEMES = ["light", "dark"]

# The contrast ratio (WCAG 2) of each visible element's text against the first opaque background
# behind it, for the elements that carry text of their own.
CONTRASTS = """
(selectors) => {
  const rgb = (text) => (text.match(/[0-9.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] === 1)) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const selector of selectors) {
    for (const el of document.querySelectorAll(selector)) {
      if (!el.offsetParent || !el.textContent.trim()) continue;
      const [a, b] = [luminance(rgb(getComputedStyle(el).color).slice(0, 3)), luminance(background(el))];
      const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
      found.push([selector + ': ' + el.textContent.trim().slice(0, 30), Math.round(ratio * 100) / 100]);
    }
  }
  return found;
}
"""
TEXT = ["body", "h1", "h2", "label", "p", "a", ".button", ".error", ".hint", ".alert", "legend", ".money-symbol",
        "small", ".pill", ".tabs a", "summary", "option:checked"]  # fmt: skip


@pytest.mark.parametrize("scheme", SCHEMES)
def test_keyboard_focus_is_visible_and_the_skip_link_comes_first(new_page, scheme):
    page = new_page(color_scheme=scheme)
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


@pytest.mark.parametrize("scheme", SCHEMES)
def test_text_is_readable_in_either_theme(new_page, scheme):
    """Each text at least 4.5:1 against its background (WCAG AA), on a form with its errors shown."""
    page = new_page(color_scheme=scheme)
    page.goto("/signup")
    dark = page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    assert dark == (scheme == "dark")
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert (background == "rgb(22, 17, 14)") == (scheme == "dark"), background
    page.get_by_role("button", name="Create account").click()  # empty: every error shows
    expect(page.locator(".error").first).to_be_visible()
    found = page.evaluate(CONTRASTS, TEXT)
    assert len(found) > 5
    poor = [(what, ratio) for what, ratio in found if ratio < 4.5]
    assert not poor, poor


@pytest.mark.parametrize("scheme", SCHEMES)
def test_a_parents_pages_are_readable_in_either_theme(new_page, scheme):
    """The new-chore form with its errors, its chores to start from and amount boxes; the family page."""
    page = new_page(color_scheme=scheme)
    sign_up_and_create_family(page, f"contrast{uuid4().hex[:8]}")
    page.goto("/chores/new")
    page.get_by_role("button", name="Create chore").click()
    expect(page.locator(".error").first).to_be_visible()
    for url in (None, "/family"):
        if url:
            page.goto(url)
        found = page.evaluate(CONTRASTS, TEXT)
        assert len(found) > 10
        poor = [(what, ratio) for what, ratio in found if ratio < 4.5]
        assert not poor, (url, poor)
