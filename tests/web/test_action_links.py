"""Act from a message: signed, single-use, expiring links to approve or send back a chore waiting
for review. Opening one (GET) shows a confirmation page and changes nothing; its form acts, once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import update

from tests.web.conftest import user_id

_LINKS = re.compile(r'href="(/act/[^"]+)">(Approve|Send back)<')


@pytest.fixture
def waiting(visitor, app):
    """A parent with a child whose chore waits for review; the links from the notification centre."""
    parent = visitor()
    parent.parent_with_family()
    kid_name = parent.add_child()
    made = parent.api(
        "POST", "/chores", json={"title": "Sweep the porch", "reward": "1.50", "assignee_ids": [user_id(app, kid_name)]}
    )
    assert made.status_code == 201, made.text
    kid = visitor()
    kid.log_in(kid_name)
    assert kid.api("POST", f"/chores/{made.json()['id']}/complete").status_code == 200
    found = {label: href for href, label in _LINKS.findall(parent.get("/notifications").text)}
    assert set(found) == {"Approve", "Send back"}
    return parent, kid, found


def pending(parent) -> list:
    return parent.api("GET", "/chores/pending-approval").json()


def test_opening_a_link_changes_nothing_and_its_form_approves_once(waiting, visitor):
    parent, kid, found = waiting
    phone = visitor()  # the parent's phone, not signed in: the link is the key
    page = phone.get(found["Approve"])
    assert page.status_code == 200 and "Approve “Sweep the porch”?" in page.text and "$1.50" in page.text
    phone.get(found["Approve"])
    assert len(pending(parent)) == 1, "a GET never acts"
    form_token = phone.csrf_token()
    done = phone.submit(found["Approve"])
    assert done.status_code == 200 and "Approved" in done.text
    assert pending(parent) == []
    assert kid.api("GET", "/users/me/balance").json()["balance"] in ("1.50", 1.5)
    again = phone.submit(found["Approve"], token=form_token)
    assert "already been reviewed" in again.text
    assert "already been reviewed" in phone.get(found["Send back"]).text, "reviewing ends every link to it"


def test_sending_back_needs_a_reason(waiting, visitor):
    parent, kid, found = waiting
    phone = visitor()
    phone.get(found["Send back"])
    refused = phone.submit(found["Send back"], {"rejection_reason": "  "})
    assert refused.status_code == 422 and 'id="reason-error"' in refused.text
    assert len(pending(parent)) == 1
    phone.submit(found["Send back"], {"rejection_reason": "leaves still by the door"})
    assert pending(parent) == []
    told = kid.api("GET", "/notifications").json()["notifications"][0]
    assert told["event"] == "chore_rejected" and "leaves still by the door" in told["text"]


def test_a_link_expires_cannot_be_forged_and_is_no_access_token(waiting, visitor):
    from chores_tracker import clock

    parent, _kid, found = waiting
    phone = visitor()
    with clock.told(clock.now() + timedelta(hours=48, seconds=1)):
        assert phone.get(found["Approve"]).status_code == 410
    token = found["Approve"].removeprefix("/act/")
    forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    assert phone.get(f"/act/{forged}").status_code == 404
    as_bearer = phone.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert as_bearer.status_code == 401
    assert len(pending(parent)) == 1


def test_a_password_change_ends_the_parents_links(waiting, visitor, app):
    from chores_tracker.identity.models import User

    _parent, _kid, found = waiting
    with app.state.session_factory() as session:
        session.execute(update(User).where(User.is_parent).values(token_version=User.token_version + 1))
        session.commit()
    assert visitor().get(found["Approve"]).status_code == 404
