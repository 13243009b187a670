"""Concurrent clicks on PostgreSQL and MariaDB/MySQL, through real concurrent connections.

Each caller runs in its own thread with its own TestClient (its own event loop, its own pooled
database connection); a barrier releases them together. The database decides: one wins, the
others get 409, and the money is counted once.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.support.api import Api, Person
from tests.support.family import chore, complete

ROUNDS = 3


@pytest.fixture
def server_api(server_app) -> Api:
    return Api(TestClient(server_app))


@dataclass
class Outcome:
    status: int
    started: float
    finished: float


def race(app, calls: list[tuple[str, str, Person, dict | None]]) -> list[Outcome]:
    """Sends the calls at once, each from its own thread and client; returns them in order."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Outcome | None] = [None] * len(calls)
    failures: list[BaseException] = []

    def run(index: int, method: str, path: str, who: Person, body: dict | None) -> None:
        try:
            client = TestClient(app)
            barrier.wait(timeout=30)
            started = time.monotonic()
            response = client.request(method, f"/api/v1{path}", headers=who.headers, json=body)
            outcomes[index] = Outcome(response.status_code, started, time.monotonic())
        except BaseException as exc:  # reported below; a thread cannot fail the test itself
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert all(outcome is not None for outcome in outcomes)
    return outcomes  # type: ignore[return-value]


def overlapped(outcomes: list[Outcome]) -> bool:
    """Whether all the calls were in flight at one moment (so the test really raced)."""
    return max(o.started for o in outcomes) < min(o.finished for o in outcomes)


def statuses(outcomes: list[Outcome]) -> Counter:
    return Counter(o.status for o in outcomes)


def _count(app, model, *where) -> int:
    with app.state.session_factory() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_parents_approving_the_same_assignment_at_once_pay_once(server_app, server_api):
    from chores_tracker.ledger.models import LedgerEntry

    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    raced = []
    for n in range(ROUNDS):
        item = chore(api, mum, title=f"Dishes {n}", reward="2.00", assignee_ids=[kid.id])
        assignment = complete(api, kid, item["id"])
        path = f"/assignments/{assignment['id']}/approve"
        outcomes = race(
            server_app,
            [("POST", path, mum, {}), ("POST", path, dad, {}), ("POST", path, mum, {}), ("POST", path, dad, {})],
        )
        assert statuses(outcomes) == Counter({200: 1, 409: 3})
        raced.append(overlapped(outcomes))
    assert _count(server_app, LedgerEntry, LedgerEntry.child_id == kid.id) == ROUNDS
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 2 * ROUNDS
    assert any(raced), "the calls never overlapped; the test did not race"


def test_approving_and_rejecting_at_once_reviews_once(server_app, server_api):
    from chores_tracker.chores.models import Completion

    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    approvals = 0
    for n in range(ROUNDS):
        item = chore(api, mum, title=f"Room {n}", reward=1, assignee_ids=[kid.id])
        assignment = complete(api, kid, item["id"])
        outcomes = race(
            server_app,
            [
                ("POST", f"/assignments/{assignment['id']}/approve", mum, {}),
                ("POST", f"/assignments/{assignment['id']}/reject", dad, {"rejection_reason": "no"}),
            ],
        )
        assert statuses(outcomes) == Counter({200: 1, 409: 1})
        approved = outcomes[0].status == 200
        approvals += approved
        [state] = api.get(f"/chores/{item['id']}", mum).json()["assignments"]
        assert (state["is_approved"], state["is_completed"]) == (approved, approved)
        assert _count(server_app, Completion, Completion.chore_id == item["id"], Completion.status == "pending") == 0
    assert api.get("/users/me/balance", kid).json()["total_earned"] == approvals


def test_children_racing_for_a_pool_chore_leave_one_winner(server_app, server_api):
    from chores_tracker.chores.models import Completion

    api = server_api
    parent = api.parent()
    kids = [api.child(parent) for _ in range(4)]
    raced = []
    for n in range(ROUNDS):
        pool = chore(api, parent, title=f"Car {n}", reward=4, assignment_mode="unassigned")
        outcomes = race(server_app, [("POST", f"/chores/{pool['id']}/complete", kid, None) for kid in kids])
        assert statuses(outcomes) == Counter({200: 1, 409: 3})
        winner = kids[[o.status for o in outcomes].index(200)]
        assert _count(server_app, Completion, Completion.chore_id == pool["id"]) == 1
        [assignment] = api.get(f"/chores/{pool['id']}", parent).json()["assignments"]
        assert assignment["assignee_id"] == winner.id
        raced.append(overlapped(outcomes))
    assert any(raced), "the calls never overlapped; the test did not race"


def test_a_double_clicked_complete_completes_once(server_app, server_api):
    from chores_tracker.chores.models import Completion

    api = server_api
    parent = api.parent()
    kid = api.child(parent)
    raced = []
    for n in range(ROUNDS):
        item = chore(api, parent, title=f"Bed {n}", assignee_ids=[kid.id])
        outcomes = race(server_app, [("POST", f"/chores/{item['id']}/complete", kid, None)] * 4)
        assert statuses(outcomes) == Counter({200: 1, 409: 3})
        assert _count(server_app, Completion, Completion.chore_id == item["id"]) == 1
        raced.append(overlapped(outcomes))
    assert len(api.get("/chores/pending-approval", parent).json()) == ROUNDS
    assert any(raced), "the calls never overlapped; the test did not race"


def test_two_payouts_at_once_cannot_spend_the_same_balance(server_app, server_api):
    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    for _ in range(ROUNDS):
        assert (
            api.post("/adjustments/", mum, json={"child_id": kid.id, "amount": "5.00", "reason": "week"}).status_code
            == 201
        )
        body = {"child_id": kid.id, "amount": "5.00"}
        outcomes = race(server_app, [("POST", "/payouts/", mum, body), ("POST", "/payouts/", dad, body)])
        assert statuses(outcomes) == Counter({201: 1, 422: 1})
        assert api.get("/users/me/balance", kid).json()["balance"] == 0


def test_a_pool_claim_and_a_chore_deletion_at_once_leave_no_orphan(server_app, server_api):
    from chores_tracker.chores.models import Completion

    api = server_api
    parent = api.parent()
    kid = api.child(parent)
    for n in range(ROUNDS):
        pool = chore(api, parent, title=f"Yard {n}", assignment_mode="unassigned")
        outcomes = race(
            server_app,
            [("POST", f"/chores/{pool['id']}/complete", kid, None), ("DELETE", f"/chores/{pool['id']}", parent, None)],
        )
        completed, deleted = (o.status for o in outcomes)
        # Either the child got there first (and the deletion waits for the review), or the
        # chore was gone before the claim counted.
        assert (completed, deleted) in {(200, 409), (404, 204)}
        pending = _count(server_app, Completion, Completion.chore_id == pool["id"])
        assert pending == (1 if completed == 200 else 0)


def test_a_child_taking_back_while_a_parent_approves_is_one_or_the_other(server_app, server_api):
    """Undo and approval at the same moment: exactly one happens, and the money agrees with it."""
    from chores_tracker.chores.models import Completion
    from chores_tracker.ledger.models import LedgerEntry

    api = server_api
    mum = api.parent()
    kid = api.child(mum)
    raced, approved = [], 0
    for n in range(ROUNDS * 2):
        item = chore(api, mum, title=f"Socks {n}", reward="1.50", assignee_ids=[kid.id])
        assignment = complete(api, kid, item["id"])
        outcomes = race(
            server_app,
            [
                ("POST", f"/chores/{item['id']}/take-back", kid, None),
                ("POST", f"/assignments/{assignment['id']}/approve", mum, {}),
            ],
        )
        assert statuses(outcomes) == Counter({200: 1, 409: 1}), outcomes
        approved += outcomes[1].status == 200
        raced.append(overlapped(outcomes))
    earnings = _count(server_app, LedgerEntry, LedgerEntry.child_id == kid.id)
    assert earnings == approved
    assert _count(server_app, Completion, Completion.child_id == kid.id, Completion.status == "approved") == approved
    assert _count(server_app, Completion, Completion.child_id == kid.id, Completion.status == "pending") == 0
    assert api.get("/users/me/balance", kid).json()["balance"] == 1.5 * approved
    assert any(raced), "the calls never overlapped; the test did not race"


def test_parents_reversing_the_same_payout_at_once_reverse_it_once(server_app, server_api):
    from chores_tracker.ledger.models import LedgerEntry

    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    api.post("/adjustments/", mum, json={"child_id": kid.id, "amount": "30.00", "reason": "birthday"})
    raced = []
    for _ in range(ROUNDS):
        payout = api.post("/payouts/", mum, json={"child_id": kid.id, "amount": "2.00"}).json()
        path = f"/ledger/entries/{payout['id']}/reverse"
        outcomes = race(server_app, [("POST", path, mum, {}), ("POST", path, dad, {}), ("POST", path, dad, {})])
        assert statuses(outcomes) == Counter({201: 1, 409: 2})
        raced.append(overlapped(outcomes))
    assert _count(server_app, LedgerEntry, LedgerEntry.reverses_id.is_not(None)) == ROUNDS
    assert api.get("/users/me/balance", kid).json()["balance"] == 30
    assert any(raced), "the calls never overlapped; the test did not race"


def test_approve_all_racing_single_approvals_pays_each_completion_once(server_app, server_api):
    from chores_tracker.ledger.models import LedgerEntry

    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    raced, total = [], 0
    for n in range(ROUNDS):
        slots = [
            complete(api, kid, chore(api, mum, title=f"Tidy {n}.{i}", reward="0.75", assignee_ids=[kid.id])["id"])["id"]
            for i in range(4)
        ]
        total += len(slots)
        calls = [("POST", "/assignments/approve-many", mum, {}), ("POST", "/assignments/approve-many", dad, {})]
        calls += [("POST", f"/assignments/{slot}/approve", dad if i % 2 else mum, {}) for i, slot in enumerate(slots)]
        outcomes = race(server_app, calls)
        assert all(o.status in (200, 409) for o in outcomes), outcomes
        raced.append(overlapped(outcomes))
        assert api.get("/chores/pending-approval", mum).json() == []
    assert _count(server_app, LedgerEntry, LedgerEntry.child_id == kid.id) == total
    assert api.get("/users/me/balance", kid).json()["balance"] == 0.75 * total
    assert any(raced), "the calls never overlapped; the test did not race"


def test_children_of_one_family_completing_different_chores_at_once_all_succeed(server_app, server_api):
    """Every write of a family bumps its revision; on MariaDB a foreign key's shared lock on the family
    row then met the bump's exclusive one, and writers of one family deadlocked (1213, a 503)."""
    from chores_tracker.chores.models import Completion

    api = server_api
    mum = api.parent()
    kids = [api.child(mum) for _ in range(4)]
    raced = []
    for n in range(ROUNDS):
        todo = [chore(api, mum, title=f"Sweep {n}.{i}", assignee_ids=[kid.id]) for i, kid in enumerate(kids)]
        calls = [("POST", f"/chores/{c['id']}/complete", kid, {}) for c, kid in zip(todo, kids, strict=True)]
        outcomes = race(server_app, calls)
        assert statuses(outcomes) == Counter({200: len(kids)}), outcomes
        raced.append(overlapped(outcomes))
    assert _count(server_app, Completion) == ROUNDS * len(kids)
    assert any(raced), "the calls never overlapped; the test did not race"
