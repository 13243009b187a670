"""The family's time zone on the pages: taken from the browser at creation, changed on the family page."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import field_error


def _zone(person) -> str:
    return person.api("GET", "/families/context").json()["family"]["timezone"]


def _selected(html: str) -> list[str]:
    select = re.search(r'<select id="f-timezone".*?</select>', html, re.DOTALL)
    assert select, "the family page offers the time zone"
    return re.findall(r"<option selected>([^<]+)</option>", select.group(0))


@pytest.mark.parametrize(
    ("cookie", "zone"),
    [("America%2FChicago", "America/Chicago"), ("Asia/Tokyo", "Asia/Tokyo"), ("Nowhere%2FLand", "UTC"), (None, "UTC")],
)
def test_a_family_created_on_the_page_takes_the_browsers_zone(visitor, cookie, zone):
    person = visitor()
    if cookie is not None:
        # As static/app.js sets it: encodeURIComponent(zone).
        person.client.cookies.set("ct_tz", cookie)
    person.parent_with_family()
    assert _zone(person) == zone
    assert _selected(person.get("/family").text) == [zone]


def test_a_parent_changes_the_zone_on_the_family_page(visitor):
    parent = visitor()
    parent.parent_with_family()
    parent.get("/family")
    response = parent.submit("/family/timezone", {"timezone": "Europe/Lisbon"})
    assert response.url.path == "/family"
    assert parent.flash() == "The family&#39;s time zone is Europe/Lisbon."
    assert _selected(response.text) == ["Europe/Lisbon"]
    assert _zone(parent) == "Europe/Lisbon"
    assert "set the family's time zone to Europe/Lisbon" in parent.get("/activity").text


@pytest.mark.parametrize("value", ["Europe/Atlantis", "", "x" * 500])
def test_an_unknown_zone_is_refused_next_to_the_field(visitor, value):
    parent = visitor()
    parent.parent_with_family()
    parent.get("/family")
    response = parent.submit("/family/timezone", {"timezone": value})
    assert response.status_code == 422
    assert field_error(response.text, "timezone")
    assert _zone(parent) == "UTC"


def test_a_child_cannot_change_the_zone(visitor):
    parent = visitor()
    parent.parent_with_family()
    kid = parent.add_child()
    child = visitor()
    child.log_in(kid)
    child.get("/")
    assert child.submit("/family/timezone", {"timezone": "Asia/Tokyo"}).status_code == 403
    assert _zone(parent) == "UTC"
