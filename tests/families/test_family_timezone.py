"""The family's time zone: set when the family is created, changed by a parent, shown in the context."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chores_tracker import timezones
from chores_tracker.families.models import Family


def _family(api, who) -> dict:
    return api.get("/families/context", who).json()["family"]


def test_a_family_created_without_a_zone_is_on_utc(api):
    parent = api.parent()
    assert _family(api, parent)["timezone"] == "UTC"


def test_a_family_is_created_in_the_zone_its_parent_names(api):
    parent = api.parent(with_family=False)
    response = api.post("/families/create", parent, json={"name": "The Satos", "timezone": "Asia/Tokyo"})
    assert response.status_code == 201, response.text
    assert response.json()["timezone"] == "Asia/Tokyo"
    assert _family(api, parent)["timezone"] == "Asia/Tokyo"


@pytest.mark.parametrize("name", ["Mars/Olympus_Mons", "america/chicago", "posixrules", "../../etc/passwd", ""])
def test_an_unknown_zone_is_refused_on_creation_with_a_clear_422(api, name):
    parent = api.parent(with_family=False)
    response = api.post("/families/create", parent, json={"name": "The Satos", "timezone": name})
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert [item["loc"][-1] for item in detail] == ["timezone"]
    assert "unknown time zone" in detail[0]["msg"]
    assert _family(api, parent) is None


def test_a_parent_changes_the_zone_and_the_feed_says_so(api):
    parent = api.parent()
    other = api.second_parent(parent)
    kid = api.child(parent)
    response = api.put("/families/timezone", other, json={"timezone": "America/Chicago"})
    assert response.status_code == 200, response.text
    assert response.json()["timezone"] == "America/Chicago"
    for who in (parent, other, kid):
        assert _family(api, who)["timezone"] == "America/Chicago"
    feed = api.get("/activities/recent", parent, params={"activity_type": "timezone_changed"}).json()
    assert [a["description"] for a in feed["activities"]] == [
        f"{other.username} set the family's time zone to America/Chicago"
    ]


def test_setting_the_same_zone_again_adds_nothing_to_the_feed(api):
    parent = api.parent()
    for _ in range(2):
        assert api.put("/families/timezone", parent, json={"timezone": "Europe/Paris"}).status_code == 200
    feed = api.get("/activities/recent", parent, params={"activity_type": "timezone_changed"}).json()
    assert len(feed["activities"]) == 1


@pytest.mark.parametrize("body", [{"timezone": "Europe/Atlantis"}, {"timezone": "x" * 200}, {"timezone": 5}, {}])
def test_an_unknown_zone_is_refused_with_a_422_and_changes_nothing(api, body):
    parent = api.parent()
    response = api.put("/families/timezone", parent, json=body)
    assert response.status_code == 422, response.text
    assert [item["loc"][-1] for item in response.json()["detail"]] == ["timezone"]
    assert _family(api, parent)["timezone"] == "UTC"


def test_a_child_may_not_change_the_zone(api):
    parent = api.parent()
    kid = api.child(parent)
    assert api.put("/families/timezone", kid, json={"timezone": "Asia/Tokyo"}).status_code == 403
    assert _family(api, parent)["timezone"] == "UTC"


def test_a_parent_without_a_family_has_no_zone_to_change(api):
    parent = api.parent(with_family=False)
    assert api.put("/families/timezone", parent, json={"timezone": "Asia/Tokyo"}).status_code == 404


def test_the_familys_zone_is_daylight_saving_correct():
    chicago = timezones.zone(Family(timezone="America/Chicago").timezone)
    # The same wall-clock hour is 6 hours behind UTC in winter and 5 in summer.
    assert datetime(2026, 1, 15, 12, tzinfo=UTC).astimezone(chicago).hour == 6
    assert datetime(2026, 7, 15, 12, tzinfo=UTC).astimezone(chicago).hour == 7
    assert timezones.zone(None).key == "UTC"
    # A zone the database no longer knows reads as UTC rather than failing every page.
    assert timezones.zone(Family(timezone="Nowhere/Gone").timezone).key == "UTC"


@pytest.mark.parametrize(
    ("cookie", "zone"),
    [
        ("America%2FChicago", "America/Chicago"),
        ("Asia/Tokyo", "Asia/Tokyo"),
        ("America%2FArgentina%2FBuenos_Aires", "America/Argentina/Buenos_Aires"),
        ("Nowhere%2FGone", None),
        ("..%2F..%2Fetc%2Fpasswd", None),
        ("", None),
        (None, None),
    ],
)
def test_the_browsers_zone_cookie_is_read_url_decoded_and_only_when_known(cookie, zone):
    assert timezones.from_browser(cookie) == zone
