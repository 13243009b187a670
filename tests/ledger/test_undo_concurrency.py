"""Issue 14's "Done when", the concurrency half of undo and faster review, on PostgreSQL and
MariaDB through real concurrent connections (the pattern and helpers of
tests/chores/test_concurrency.py, which already races a take-back against one approval, approve-all
against single approvals, and parents reversing the same payout).

What is raced here, and what must hold after each round:
- a child taking back several "done"s while one parent approves all and another approves them one
  by one: each completion is either taken back or paid, once;
- parents reversing an approval's earning while approving the child's next chores (all at once and
  one by one): the reversal happens once and every completion is paid once.
Always: the ledger's entries sum to the balance the API answers, to the cent, and the balance is
exactly what the winners' effects add up to.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from sqlalchemy import select

from tests.chores.test_concurrency import ROUNDS, overlapped, race, server_api, statuses
from tests.support.family import approve, chore, complete

__all__ = ["server_api"]  # the fixture, on both servers (server_app: tests/conftest.py)


def _ledger_cents(app, child_id: int) -> tuple[int, int]:
    """The child's ledger, summed as the balance counts it, in cents; and its number of entries."""
    from chores_tracker.ledger.models import LedgerEntry
    from chores_tracker.ledger.service import balance_effect

    with app.state.session_factory() as session:
        entries = list(session.scalars(select(LedgerEntry).where(LedgerEntry.child_id == child_id)))
    return sum(balance_effect(entry) for entry in entries), len(entries)


def _balance_cents(api, kid) -> int:
    answer = api.get("/users/me/balance", kid)
    assert answer.status_code == 200, answer.text
    return int(Decimal(str(answer.json()["balance"])) * 100)


def _statuses_of(api, parent, chore_ids: list[int]) -> dict[int, tuple[bool, bool]]:
    """Each chore's (is_completed, is_approved) for its one assignment."""
    found = {}
    for chore_id in chore_ids:
        [slot] = api.get(f"/chores/{chore_id}", parent).json()["assignments"]
        found[chore_id] = (slot["is_completed"], slot["is_approved"])
    return found


def test_taking_back_while_parents_approve_all_and_one_by_one_pays_each_done_once(server_app, server_api):
    from chores_tracker.chores.models import Completion

    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    raced, approved = [], 0
    for n in range(ROUNDS):
        items = [chore(api, mum, title=f"Shoes {n}.{i}", reward="1.25", assignee_ids=[kid.id]) for i in range(3)]
        slots = [complete(api, kid, item["id"])["id"] for item in items]
        calls = [("POST", f"/chores/{item['id']}/take-back", kid, None) for item in items]
        calls += [("POST", "/assignments/approve-many", mum, {})]
        calls += [("POST", f"/assignments/{slot}/approve", dad, {}) for slot in slots]
        outcomes = race(server_app, calls)
        assert all(o.status in (200, 409) for o in outcomes), outcomes
        raced.append(overlapped(outcomes))
        states = _statuses_of(api, mum, [item["id"] for item in items])
        for i, item in enumerate(items):
            taken_back = outcomes[i].status == 200
            # One or the other: taken back (to do again, nothing paid) or approved (paid), never both.
            assert states[item["id"]] == ((False, False) if taken_back else (True, True)), (n, i, outcomes)
            approved += not taken_back
        assert api.get("/chores/pending-approval", mum).json() == []
    cents, entries = _ledger_cents(server_app, kid.id)
    assert entries == approved  # one earning per approval, none for a taken-back one
    assert cents == _balance_cents(api, kid) == 125 * approved
    with server_app.state.session_factory() as session:
        paid = session.scalars(select(Completion).where(Completion.child_id == kid.id)).all()
    assert Counter(c.status for c in paid)["approved"] == approved
    assert "pending" not in {c.status for c in paid}
    assert any(raced), "the calls never overlapped; the test did not race"


def test_reversing_an_approval_while_approving_the_next_counts_each_once(server_app, server_api):
    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    raced, expected = [], 0
    for n in range(ROUNDS):
        done = chore(api, mum, title=f"Bins {n}", reward="2.00", assignee_ids=[kid.id])
        approve(api, mum, complete(api, kid, done["id"])["id"])
        [earning] = [e for e in api.get(f"/ledger/child/{kid.id}", mum).json() if e["chore_id"] == done["id"]]
        waiting = [chore(api, mum, title=f"Plates {n}.{i}", reward="0.50", assignee_ids=[kid.id]) for i in range(2)]
        slots = [complete(api, kid, item["id"])["id"] for item in waiting]
        reverse = f"/ledger/entries/{earning['id']}/reverse"
        calls = [("POST", reverse, mum, {}), ("POST", reverse, dad, {})]
        calls += [("POST", "/assignments/approve-many", dad, {})]
        calls += [("POST", f"/assignments/{slot}/approve", mum, {}) for slot in slots]
        outcomes = race(server_app, calls)
        assert statuses(outcomes[:2]) == Counter({201: 1, 409: 1}), outcomes  # the undo, once
        assert all(o.status in (200, 409) for o in outcomes[2:]), outcomes
        raced.append(overlapped(outcomes))
        assert api.get("/chores/pending-approval", mum).json() == []
        assert set(_statuses_of(api, mum, [item["id"] for item in waiting]).values()) == {(True, True)}
        expected += 2 * 50  # the reversed 2.00 is back to nothing; both plates paid once
        cents, entries = _ledger_cents(server_app, kid.id)
        # Per round so far: the earning, its reversal, and one earning per plate.
        assert entries == 4 * (n + 1), entries
        assert cents == _balance_cents(api, kid) == expected
    assert any(raced), "the calls never overlapped; the test did not race"
