"""Rewards under concurrent clicks on PostgreSQL and MariaDB/MySQL, through real concurrent
connections (the pattern of tests/chores/test_concurrency.py): the database decides, money is
reserved and debited once, stock never goes below zero."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import func, select

from tests.chores.test_concurrency import ROUNDS, overlapped, race, server_api, statuses
from tests.rewards.test_rewards import bonus, claim, money, reward

__all__ = ["server_api"]  # the fixture, on both servers (server_app: tests/conftest.py)


def _debits(app, child_id: int) -> int:
    from chores_tracker.ledger.models import LedgerEntry

    with app.state.session_factory() as session:
        return session.scalar(
            select(func.count()).where(LedgerEntry.child_id == child_id, LedgerEntry.note.like("Reward: %"))
        )


def test_claims_that_together_exceed_the_available_money_never_both_succeed(server_app, server_api):
    api = server_api
    parent = api.parent()
    kid = api.child(parent)
    raced = []
    for n in range(ROUNDS):
        bonus(api, parent, kid, "5.00")
        ids = [reward(api, parent, title=f"Treat {n}.{i}", cost="3.00")["id"] for i in range(4)]
        outcomes = race(server_app, [("POST", f"/rewards/{reward_id}/claim", kid, None) for reward_id in ids])
        assert statuses(outcomes) == Counter({201: 1, 409: 3})
        balance, reserved, available = money(api, kid)
        assert (balance, reserved, available) == (5.0, 3.0, 2.0)
        [waiting] = api.get("/rewards/claims", kid, params={"status": "pending"}).json()
        assert api.post(f"/rewards/claims/{waiting['id']}/approve", parent).status_code == 200
        raced.append(overlapped(outcomes))
        api.post("/payouts/", parent, json={"child_id": kid.id, "amount": "2.00"})
        assert money(api, kid) == (0, 0, 0)
    assert _debits(server_app, kid.id) == ROUNDS
    assert any(raced), "the calls never overlapped; the test did not race"


def test_children_claiming_the_last_one_at_once_leave_the_stock_at_zero(server_app, server_api):
    api = server_api
    parent = api.parent()
    kids = [api.child(parent) for _ in range(4)]
    for kid in kids:
        bonus(api, parent, kid, "10")
    raced = []
    for n in range(ROUNDS):
        last = reward(api, parent, title=f"Last one {n}", cost="1", stock=1)
        outcomes = race(server_app, [("POST", f"/rewards/{last['id']}/claim", kid, None) for kid in kids])
        assert statuses(outcomes) == Counter({201: 1, 409: 3})
        [shown] = [r for r in api.get("/rewards", parent).json() if r["id"] == last["id"]]
        assert shown["stock"] == 0
        raced.append(overlapped(outcomes))
    assert any(raced), "the calls never overlapped; the test did not race"


def test_approving_and_cancelling_at_once_decide_once(server_app, server_api):
    api = server_api
    mum = api.parent()
    dad = api.second_parent(mum)
    kid = api.child(mum)
    bonus(api, mum, kid, "100")
    book = reward(api, mum, title="Book", cost="2", stock=ROUNDS)
    approvals = 0
    for _ in range(ROUNDS):
        made = claim(api, kid, book["id"])
        path = f"/rewards/claims/{made['id']}"
        outcomes = race(
            server_app,
            [
                ("POST", f"{path}/approve", mum, None),
                ("POST", f"{path}/cancel", kid, None),
                ("POST", f"{path}/approve", dad, None),
                ("POST", f"{path}/decline", dad, {"reason": "not today"}),
            ],
        )
        assert sorted(o.status for o in outcomes) == [200, 409, 409, 409]
        approvals += outcomes[0].status == 200 or outcomes[2].status == 200
    assert _debits(server_app, kid.id) == approvals
    assert money(api, kid) == (100 - 2 * approvals, 0, 100 - 2 * approvals)
    [shown] = api.get("/rewards", mum).json()
    assert shown["stock"] == ROUNDS - approvals  # each cancelled or declined claim gave its one back


def test_on_sqlite_too_claims_over_the_available_money_never_both_succeed(database_factory, build_app):
    """SQLite has no row locks: the claim takes the database's write lock before reading the money."""
    from fastapi.testclient import TestClient

    from tests.support.api import Api
    from tests.support.databases import clear_all_tables

    database = database_factory("sqlite")
    clear_all_tables(database.engine)
    app = build_app(database)
    api = Api(TestClient(app))
    parent = api.parent()
    kid = api.child(parent)
    for n in range(ROUNDS):
        bonus(api, parent, kid, "5.00")
        ids = [reward(api, parent, title=f"Sweet {n}.{i}", cost="3.00")["id"] for i in range(4)]
        outcomes = race(app, [("POST", f"/rewards/{reward_id}/claim", kid, None) for reward_id in ids])
        assert statuses(outcomes) == Counter({201: 1, 409: 3})
        assert money(api, kid)[2] == 2.0
        [waiting] = api.get("/rewards/claims", kid, params={"status": "pending"}).json()
        assert api.post(f"/rewards/claims/{waiting['id']}/cancel", kid).status_code == 200
        api.post("/payouts/", parent, json={"child_id": kid.id, "amount": "5.00"})
