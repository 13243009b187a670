"""Undo: a child takes back an accidental "done" while it waits for review; a parent reverses an
approval, a bonus, a penalty or a payout within the window through a compensating entry (the entry
itself never changes), each once, each with its feed row."""

from __future__ import annotations

from datetime import timedelta

from chores_tracker import clock
from tests.support.family import chore, complete


def _balance(api, kid) -> float:
    return api.get("/users/me/balance", kid).json()["balance"]


def _feed(api, who) -> list[dict]:
    return api.get("/activities/recent", who).json()["activities"]


def _entries(api, parent, kid) -> list[dict]:
    response = api.get(f"/ledger/child/{kid.id}", parent)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_child_takes_back_a_done_waiting_for_review(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(api, parent, title="Dishes", reward="2.00", assignee_ids=[kid.id])
    complete(api, kid, item["id"])
    response = api.post(f"/chores/{item['id']}/take-back", kid)
    assert response.status_code == 200, response.text
    assert response.json()["assignment"]["is_completed"] is False
    assert api.get("/chores/pending-approval", parent).json() == []
    assert "chore_taken_back" in [a["activity_type"] for a in _feed(api, parent)]
    again = api.post(f"/chores/{item['id']}/take-back", kid)
    assert again.status_code == 409
    complete(api, kid, item["id"])  # the child's to do again
    assert _balance(api, kid) == 0


def test_a_taken_back_pool_chore_is_anyones_again(api):
    parent = api.parent()
    first, second = api.child(parent), api.child(parent)
    item = chore(api, parent, title="Trash", reward="1.00", assignment_mode="unassigned")
    complete(api, first, item["id"])
    assert api.post(f"/chores/{item['id']}/take-back", second).status_code == 409  # not second's to take back
    assert api.post(f"/chores/{item['id']}/take-back", first).status_code == 200
    complete(api, second, item["id"])


def test_nothing_to_take_back_once_approved(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(api, parent, title="Bed", reward="1.00", assignee_ids=[kid.id])
    assignment = complete(api, kid, item["id"])
    assert api.post(f"/assignments/{assignment['id']}/approve", parent, json={}).status_code == 200
    assert api.post(f"/chores/{item['id']}/take-back", kid).status_code == 409
    assert _balance(api, kid) == 1


def test_a_daily_chore_taken_back_is_open_again(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(
        api,
        parent,
        title="Teeth",
        reward="1.00",
        assignee_ids=[kid.id],
        schedule={"kind": "daily", "due_time": "23:59"},
    )
    complete(api, kid, item["id"])
    assert api.post(f"/chores/{item['id']}/take-back", kid).status_code == 200
    states = {o["state"] for o in api.get("/occurrences", kid).json() if o["chore_id"] == item["id"]}
    assert "done" not in states and states & {"upcoming", "due", "overdue"}
    complete(api, kid, item["id"])


def test_a_parent_reverses_each_kind_once_with_a_compensating_entry(api):
    parent = api.parent()
    kid = api.child(parent)
    item = chore(api, parent, title="Lawn", reward="5.00", assignee_ids=[kid.id])
    assignment = complete(api, kid, item["id"])
    assert api.post(f"/assignments/{assignment['id']}/approve", parent, json={}).status_code == 200
    assert (
        api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": "3.00", "reason": "kind"}).status_code
        == 201
    )
    assert (
        api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": "-1.25", "reason": "rude"}).status_code
        == 201
    )
    assert api.post("/payouts/", parent, json={"child_id": kid.id, "amount": "4.00"}).status_code == 201
    assert _balance(api, kid) == 2.75
    before = _entries(api, parent, kid)
    assert [e["kind"] for e in before] == ["payout", "adjustment", "adjustment", "chore_earning"]
    assert all(e["can_reverse"] for e in before)

    expected_effects = {"payout": "4.00", "-1.25": "1.25", "3.00": "-3.00", "5.00": "-5.00"}
    for entry in before:
        reversed_ = api.post(f"/ledger/entries/{entry['id']}/reverse", parent, json={"reason": "oops"})
        assert reversed_.status_code == 201, reversed_.text
        body = reversed_.json()
        assert body["reverses_id"] == entry["id"] and body["kind"] == "adjustment" and body["note"] == "oops"
        assert body["balance_effect"] == expected_effects["payout" if entry["kind"] == "payout" else entry["amount"]]
        assert body["can_reverse"] is False
        assert api.post(f"/ledger/entries/{entry['id']}/reverse", parent).status_code == 409  # once
        assert api.post(f"/ledger/entries/{body['id']}/reverse", parent).status_code == 409  # not a reversal
    assert _balance(api, kid) == 0
    after = {e["id"]: e for e in _entries(api, parent, kid)}
    for entry in before:  # the entries themselves are as they were
        assert {k: after[entry["id"]][k] for k in ("amount", "kind", "note")} == {
            k: entry[k] for k in ("amount", "kind", "note")
        }
        assert after[entry["id"]]["reversed_by_id"] is not None and after[entry["id"]]["can_reverse"] is False
    assert [a["activity_type"] for a in _feed(api, parent)].count("entry_reversed") == 4


def test_too_late_after_the_window(api):
    parent = api.parent()
    kid = api.child(parent)
    with clock.told(clock.now() - timedelta(hours=73)):
        bonus = api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": "3.00", "reason": "old"}).json()
    response = api.post(f"/ledger/entries/{bonus['id']}/reverse", parent)
    assert response.status_code == 409 and "too late" in response.text
    assert _entries(api, parent, kid)[0]["can_reverse"] is False
    assert _balance(api, kid) == 3


def test_another_family_and_a_child_cannot_reverse(api):
    parent = api.parent()
    kid = api.child(parent)
    bonus = api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": "3.00", "reason": "r"}).json()
    stranger = api.parent()
    assert api.post(f"/ledger/entries/{bonus['id']}/reverse", stranger).status_code == 404
    assert api.post(f"/ledger/entries/{bonus['id']}/reverse", kid).status_code == 403
    assert api.post("/ledger/entries/999999/reverse", parent).status_code == 404
    assert _balance(api, kid) == 3
