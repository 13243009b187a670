"""Approving several at once on the approvals page: the ticked ones, or all the page showed."""

from __future__ import annotations

from tests.web.conftest import user_id


def _family_with_waiting(visitor, app, titles):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    kid = user_id(app, name)
    for title in titles:
        parent.api("POST", "/chores", json={"title": title, "reward": "1.50", "assignee_ids": [kid]})
    child = visitor()
    child.log_in(name)
    for item in parent.api("GET", "/chores").json():
        child.api("POST", f"/chores/{item['id']}/complete")
    slots = [p["assignment_id"] for p in parent.api("GET", "/chores/pending-approval").json()]
    return parent, child, slots


def test_approve_all_approves_what_the_page_showed(visitor, app):
    parent, child, slots = _family_with_waiting(visitor, app, ["Bins", "Bath", "Beds"])
    page = parent.get("/approvals").text
    assert "Approve all 3" in page
    parent.submit("/approvals/approve-many", {"which": "all", "shown_ids": [str(s) for s in slots]})
    assert parent.flash() == "Approved 3: $4.50 earned."
    assert child.api("GET", "/users/me/balance").json()["balance"] == 4.5
    assert "All caught up!" in parent.page.text


def test_approve_ticked_approves_only_those(visitor, app):
    parent, _child, slots = _family_with_waiting(visitor, app, ["Bins", "Bath", "Beds"])
    parent.get("/approvals")
    parent.submit(
        "/approvals/approve-many",
        {"which": "ticked", "assignment_ids": [str(slots[1])], "shown_ids": [str(s) for s in slots]},
    )
    assert parent.flash() == "Approved 1: $1.50 earned."
    assert [p["assignment_id"] for p in parent.api("GET", "/chores/pending-approval").json()] == [slots[0], slots[2]]


def test_nothing_ticked_says_so(visitor, app):
    parent, _child, slots = _family_with_waiting(visitor, app, ["Bins", "Bath"])
    parent.get("/approvals")
    parent.submit("/approvals/approve-many", {"which": "ticked", "shown_ids": [str(s) for s in slots]})
    assert parent.flash() == "Tick the chores to approve first."
    assert len(parent.api("GET", "/chores/pending-approval").json()) == 2
