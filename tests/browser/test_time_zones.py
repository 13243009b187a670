"""Pages show times in the family's own time zone, taken from the browser of the parent who creates it.

The browser reports its zone through a cookie the page's script sets (URL-encoded: `America%2FChicago`);
each time shown is compared with the same instant formatted by the browser itself in its zone.
"""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_journey import PASSWORD, add_child, sign_up_and_create_family

pytestmark = pytest.mark.browser

_run = itertools.count(1)

# What the browser itself shows for an instant: 24-hour "HH:MM" in a zone (its own unless named).
_LOCAL_TIME = """([iso, zone]) => new Date(iso).toLocaleTimeString(
    'en-GB', {hour: '2-digit', minute: '2-digit', hourCycle: 'h23', ...(zone ? {timeZone: zone} : {})})"""


def shown_and_local_time(page: Page, zone: str | None = None) -> tuple[str, str]:
    """The newest activity row's time as the page shows it, and as the browser formats it in `zone`."""
    page.goto("/activity")
    when = page.locator(".activity-when time").first
    expect(when).to_be_visible()
    instant = when.get_attribute("datetime")
    assert instant, "the activity row names its instant"
    return when.inner_text(), page.evaluate(_LOCAL_TIME, [instant, zone])


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


def test_a_parent_elsewhere_sees_the_familys_times_and_changes_its_zone(new_page, viewport):
    tag = f"{viewport[0]}j{next(_run)}"
    chicago = new_page(timezone_id="America/Chicago")
    sign_up_and_create_family(chicago, f"tzdad{tag}")
    add_child(chicago, f"tzkid{tag}")
    code = chicago.locator("#invite-code").inner_text()

    tokyo = new_page(timezone_id="Asia/Tokyo")
    tokyo.goto("/signup")
    tokyo.get_by_label("Username").fill(f"tzmum{tag}")
    tokyo.get_by_label("Password").fill(PASSWORD)
    tokyo.get_by_role("button", name="Create account").click()
    tokyo.get_by_label("Invite code").fill(code)
    tokyo.get_by_role("button", name="Join family").click()
    expect(tokyo.get_by_role("status")).to_contain_text("You joined")

    # The family is in Chicago: so are its times, whatever the zone of the device reading them.
    shown, in_chicago = shown_and_local_time(tokyo, "America/Chicago")
    assert shown.endswith(f", {in_chicago}"), f"a Tokyo device shows {shown!r}; in Chicago it is {in_chicago}"

    tokyo.goto("/family")
    zone = tokyo.get_by_label("The family's time zone")
    expect(zone).to_have_value("America/Chicago")
    expect(tokyo.locator("#f-timezone-hint")).to_contain_text("this device is in Asia/Tokyo")
    zone.select_option("Asia/Tokyo")
    tokyo.get_by_role("button", name="Save time zone").click()
    expect(tokyo.get_by_role("status")).to_contain_text("The family's time zone is Asia/Tokyo.")

    for page in (tokyo, chicago):
        shown, in_tokyo = shown_and_local_time(page, "Asia/Tokyo")
        assert shown.endswith(f", {in_tokyo}"), f"the family moved to Tokyo, yet a page shows {shown!r}"
        expect(page.locator(".activity-text").first).to_have_text(
            re.compile(r"set the family's time zone to Asia/Tokyo")
        )
