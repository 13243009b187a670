"""Calendar feeds: a private URL per family and per child serving its occurrences as iCalendar
(RFC 5545) in the family's zone; parsed back here with the icalendar library. Rotating or
revoking a URL kills it at once."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from chores_tracker.chores.models import CalendarFeed
from tests.support.api import Api
from tests.support.family import chore, family


def feed(api: Api, who, **body) -> dict:
    response = api.post("/calendar/feeds", who, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def fetch(api: Api, made: dict):
    return api.client.get(made["path"])  # no log-in: the token is the key


def events(response) -> list:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/calendar")
    parsed = Calendar.from_ical(response.content)
    assert parsed["version"] == "2.0"
    return list(parsed.walk("VEVENT"))


def test_the_family_feed_has_every_childs_occurrences_at_their_local_times(api):
    home = family(api, kids=2)
    assert api.put("/families/timezone", home.parent, json={"timezone": "Asia/Kolkata"}).status_code == 200
    first, second = home.kids
    chore(api, home.parent, title="Trash", assignee_ids=[first.id], schedule={"kind": "daily", "due_time": "18:30"})
    chore(api, home.parent, title="Plants", assignee_ids=[second.id], schedule={"kind": "weekly", "weekdays": [5]})
    made = feed(api, home.parent)
    assert made["child_id"] is None and made["path"] == f"/api/v1/calendar/{made['token']}.ics"

    found = events(fetch(api, made))
    kolkata = ZoneInfo("Asia/Kolkata")
    timed = [event for event in found if str(event["summary"]).startswith("Trash")]
    all_day = [event for event in found if str(event["summary"]).startswith("Plants")]
    assert len(timed) >= 28 and len(all_day) >= 4
    for event in timed:
        start = event.decoded("dtstart")
        assert isinstance(start, datetime) and start.utcoffset() == kolkata.utcoffset(start.replace(tzinfo=None))
        assert (start.hour, start.minute) == (18, 30)
        assert f"({first.username})" in str(event["summary"])
    for event in all_day:
        start = event.decoded("dtstart")
        assert not isinstance(start, datetime) and start.weekday() == 5
    assert len({str(event["uid"]) for event in found}) == len(found)


def test_a_childs_feed_has_only_its_own_and_rotating_or_revoking_kills_the_old_url(api):
    home = family(api, kids=2)
    first, second = home.kids
    chore(api, home.parent, title="Mine", assignee_ids=[first.id], schedule={"kind": "daily", "due_time": "07:00"})
    chore(api, home.parent, title="Theirs", assignee_ids=[second.id], schedule={"kind": "daily", "due_time": "07:00"})
    made = feed(api, home.parent, child_id=first.id)
    assert {str(event["summary"]) for event in events(fetch(api, made))} == {"Mine"}

    rotated = feed(api, home.parent, child_id=first.id)
    assert fetch(api, made).status_code == 404
    assert events(fetch(api, rotated))
    family_feed = feed(api, home.parent)
    listed = api.get("/calendar/feeds", home.parent).json()
    assert {item["id"] for item in listed} == {rotated["id"], family_feed["id"]}
    assert all("token" not in item for item in listed)

    assert api.delete(f"/calendar/feeds/{rotated['id']}", home.parent).status_code == 204
    assert fetch(api, rotated).status_code == 404
    assert events(fetch(api, family_feed))  # the family's own URL is another one
    assert api.delete(f"/calendar/feeds/{rotated['id']}", home.parent).status_code == 404


def test_only_a_parent_of_the_family_makes_or_ends_a_feed(api):
    home = family(api, kids=1)
    other = family(api, kids=1)
    assert api.post("/calendar/feeds", home.kids[0], json={}).status_code == 403
    assert api.post("/calendar/feeds", home.parent, json={"child_id": other.kids[0].id}).status_code == 404
    made = feed(api, home.parent)
    assert api.delete(f"/calendar/feeds/{made['id']}", other.parent).status_code == 404
    assert api.client.get("/api/v1/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_a_feed_ends_when_the_parent_who_made_it_or_the_child_it_shows_is_removed(app, api):
    owner = api.parent()
    second = api.second_parent(owner)
    first, other = api.child(owner), api.child(owner)
    for kid in (first, other):
        chore(api, owner, title=f"For {kid.username}", assignee_ids=[kid.id], schedule={"kind": "daily"})
    by_second = feed(api, second)  # the family's, made by the parent about to leave
    of_first = feed(api, owner, child_id=first.id)
    of_other = feed(api, owner, child_id=other.id)
    for made in (by_second, of_first, of_other):
        assert events(fetch(api, made))

    assert api.delete(f"/families/members/{second.id}", owner).status_code == 204
    assert fetch(api, by_second).status_code == 404
    assert api.delete(f"/families/members/{first.id}", owner).status_code == 204
    assert fetch(api, of_first).status_code == 404
    # Neither is listed any more; the feed of the child still in the family goes on.
    assert [item["id"] for item in api.get("/calendar/feeds", owner).json()] == [of_other["id"]]
    assert {str(event["summary"]) for event in events(fetch(api, of_other))} == {f"For {other.username}"}

    # A parent who leaves and joins again (here a minute after the feed was made; the clock has
    # whole seconds) does not bring back the feeds made before.
    with app.state.session_factory() as session:
        made = session.get(CalendarFeed, by_second["id"])
        made.created_at -= timedelta(minutes=1)
        session.commit()
    response = api.client.post(
        "/api/v1/families/join", json={"invite_code": api.invite_code(owner)}, headers=second.headers
    )
    assert response.status_code == 200, response.text
    assert fetch(api, by_second).status_code == 404
