"""Undo on the pages: a child's "Not done yet" on a chore waiting for review; a parent's "Undo" on
a child's money page (an approval, a bonus, a penalty or a payout within the window)."""

from __future__ import annotations

import re
from datetime import timedelta

from chores_tracker import clock
from tests.web.conftest import user_id
from tests.web.test_money_and_report_pages import balance, family_with_earnings


def _undo_actions(html: str) -> list[str]:
    return re.findall(r'action="(/children/\d+/entries/\d+/reverse)"', html)


def test_a_child_takes_back_a_done_on_its_home_page(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    name = parent.add_child()
    kid = user_id(app, name)
    parent.get("/chores/new")
    parent.submit("/chores/new", {"title": "Plants", "reward_kind": "fixed", "reward": "1", "assignment_mode": "single", "single_assignee": str(kid)})  # fmt: skip
    chore = parent.api("GET", "/chores").json()[0]["id"]
    child = visitor()
    child.log_in(name)
    child.get("/")
    child.submit(f"/chores/{chore}/complete")
    assert f'action="/chores/{chore}/take-back"' in child.page.text
    child.submit(f"/chores/{chore}/take-back")
    assert child.flash() == "Taken back: “Plants” is on your list again."
    assert f'action="/chores/{chore}/complete"' in child.page.text
    assert parent.api("GET", "/chores/pending-approval").json() == []
    assert "took back" in parent.get("/activity").text


def test_a_parent_undoes_a_mistaken_approval_on_the_money_page(visitor, app):
    parent, child, kid, name = family_with_earnings(visitor, app, amount="4")
    page = parent.get(f"/children/{kid}").text
    assert balance(page) == "$4.00"
    [undo] = _undo_actions(page)
    parent.submit(undo)
    assert parent.flash() == f"Reversed: −$4.00 for {name}."
    page = parent.page.text
    assert balance(page) == "$0.00"
    assert "reversed</span>" in page and "Reversed: reverses the approval" in page
    assert _undo_actions(page) == []  # neither the entry again, nor the reversal
    assert "reversed <strong>Windows</strong>" in parent.get("/activity").text
    assert child.api("GET", "/users/me/balance").json()["balance"] == 0


def test_no_undo_after_the_window(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    kid = user_id(app, parent.add_child())
    with clock.told(clock.now() - timedelta(hours=80)):
        parent.api("POST", "/adjustments/", json={"child_id": kid, "amount": "2.00", "reason": "long ago"})
    parent.api("POST", "/adjustments/", json={"child_id": kid, "amount": "1.00", "reason": "today"})
    assert len(_undo_actions(parent.get(f"/children/{kid}").text)) == 1
