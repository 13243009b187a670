"""The notification centre's page and the bell: the unread count on every page, the list, marking read."""

from __future__ import annotations

import re

from tests.web.conftest import user_id


def _badge(html: str) -> str | None:
    found = re.search(r"data-unread-count( hidden)?>(\d+)<", html)
    assert found, "every signed-in page has the bell"
    return None if found.group(1) else found.group(2)


def test_the_bell_counts_what_is_unread_and_the_centre_marks_it_read(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    kid_name = parent.add_child()
    made = parent.api(
        "POST",
        "/chores",
        json={"title": "Water the plants", "reward": "1.00", "assignee_ids": [user_id(app, kid_name)]},
    )
    assert made.status_code == 201, made.text
    assert _badge(parent.get("/").text) is None
    kid = visitor()
    kid.log_in(kid_name)
    chore_id = kid.api("GET", "/chores").json()[0]["id"]
    assert kid.api("POST", f"/chores/{chore_id}/complete").status_code == 200

    assert _badge(parent.get("/").text) == "1"
    assert parent.client.get("/notifications/unread").json() == {"unread_count": 1}
    page = parent.get("/notifications")
    assert "Water the plants" in page.text and "is-unread" in page.text
    notification_id = re.search(r'data-notification-id="(\d+)"', page.text).group(1)
    parent.submit(f"/notifications/{notification_id}/read")
    assert parent.page.url.path == "/notifications" and "is-unread" not in parent.page.text
    assert _badge(parent.page.text) is None
    assert _badge(kid.get("/").text) is None, "a child has the bell too"


def test_the_unread_count_needs_a_session_and_marking_needs_the_form_token(visitor, app):
    stranger = visitor()
    response = stranger.client.get("/notifications/unread", follow_redirects=False)
    assert response.status_code in (303, 302) and "/login" in response.headers["location"]
    parent = visitor()
    parent.parent_with_family()
    refused = parent.client.post("/notifications/read-all", data={}, follow_redirects=False)
    assert refused.status_code == 403
