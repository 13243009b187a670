"""Pages show times in the family's own time zone, taken from the browser of the parent who creates it.

The browser reports its zone through a cookie the page's script sets (URL-encoded: `America%2FChicago`);
each time shown is compared with the same instant formatted by the browser itself in its zone.
"""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import add_child, sign_up_and_create_family

pytestmark = pytest.mark.browser

_run = itertools.count(1)

# What the browser itself shows for an instant: 24-hour "HH:MM" in the browser's zone.
_LOCAL_TIME = "iso => new Date(iso).toLocaleTimeString('en-GB', {hour: '2-digit', minute: '2-digit', hourCycle: 'h23'})"


def shown_and_local_time(page: Page) -> tuple[str, str]:
    """The newest activity row's time as the page shows it, and as the browser formats it locally."""
    page.goto("/activity")
    when = page.locator(".activity-when time").first
    expect(when).to_be_visible()
    instant = when.get_attribute("datetime")
    assert instant, "the activity row names its instant"
    return when.inner_text(), page.evaluate(_LOCAL_TIME, instant)


@pytest.mark.parametrize("zone", ["America/Chicago", "Asia/Tokyo"])
def test_pages_show_times_in_the_zone_of_the_parent_who_created_the_family(new_page, viewport, zone):
    tag = f"{viewport[0]}{zone[:3].lower()}{next(_run)}"
    page = new_page(timezone_id=zone)
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == zone
    sign_up_and_create_family(page, f"tzmum{tag}")
    add_child(page, f"tzkid{tag}")

    shown, local = shown_and_local_time(page)
    # Chicago and Tokyo are never on UTC, so a page rendering UTC shows another hour.
    assert shown.endswith(f", {local}"), f"{zone}: the page shows {shown!r}, the browser's clock says {local}"
