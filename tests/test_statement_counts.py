"""The cost of a request: the SQL statements of the main endpoints do not grow with the family.

A small family (one child, two chores) and a large one (four children, twelve chores, their
completions, approvals and adjustments) must cost the same number of statements per call. And the
busiest change, a completion and its approval, writes with Core statements only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import event

from tests.support.api import Api, Person
from tests.support.family import approve, chore, complete

# Whatever the family's size: a read is its user, then a few grouped queries; a change is its
# user, its guarded updates and inserts (the activity row and the notifications outbox's one
# INSERT ... SELECT included, and the family webhooks' one INSERT ... SELECT, which writes nothing
# when the family has none), the family's revision bumped (db.revisions), the child's running
# totals with a ledger row (ledger.service.add_entry: one upsert), and the answer.
MAX_READ_STATEMENTS = 8
MAX_WRITE_STATEMENTS = 16


@contextmanager
def counting_statements(engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@dataclass
class Household:
    parent: Person
    kids: list[Person]
    chore_ids: list[int]
    pending_assignment: int
    todo_chore: int


def build(api: Api, kids: int, chores: int) -> Household:
    parent = api.parent()
    children = [api.child(parent) for _ in range(kids)]
    ids = [child.id for child in children]
    made = [
        chore(
            api,
            parent,
            title=f"Chore {n}",
            reward="1.25",
            assignment_mode="multi_independent",
            assignee_ids=ids,
            is_recurring=True,
        )
        for n in range(chores)
    ]
    made.append(chore(api, parent, title="Pool", reward=1, assignment_mode="unassigned"))
    for n, item in enumerate(made[:-1]):
        for child in children:
            done = complete(api, child, item["id"])
            if n % 2 == 0:
                approve(api, parent, done["id"])
    for child in children:
        api.post("/adjustments/", parent, json={"child_id": child.id, "amount": "0.50", "reason": "x"})
    todo = chore(api, parent, title="Todo", reward=1, assignee_ids=[children[0].id])
    waiting = complete(
        api, children[0], chore(api, parent, title="Waiting", reward=1, assignee_ids=[children[0].id])["id"]
    )
    return Household(parent, children, [c["id"] for c in made], waiting["id"], todo["id"])


READS: list[tuple[str, Callable[[Household], tuple[str, Person]]]] = [
    ("GET /chores as a parent", lambda h: ("/chores", h.parent)),
    ("GET /chores as a child", lambda h: ("/chores", h.kids[0])),
    ("GET /chores?status=available", lambda h: ("/chores?status=available", h.kids[0])),
    ("GET /chores/available", lambda h: ("/chores/available", h.kids[0])),
    ("GET /chores/pending-approval", lambda h: ("/chores/pending-approval", h.parent)),
    ("GET /chores/child/{id}", lambda h: (f"/chores/child/{h.kids[0].id}", h.parent)),
    ("GET /chores/child/{id}/completed", lambda h: (f"/chores/child/{h.kids[0].id}/completed", h.parent)),
    ("GET /chores/{id}", lambda h: (f"/chores/{h.chore_ids[0]}", h.parent)),
    ("GET /users/my-family-children", lambda h: ("/users/my-family-children", h.parent)),
    ("GET /users/allowance-summary", lambda h: ("/users/allowance-summary", h.parent)),
    ("GET /users/me/balance", lambda h: ("/users/me/balance", h.kids[0])),
    ("GET /reports/allowance-summary", lambda h: ("/reports/allowance-summary", h.parent)),
    ("GET /reports/reward-history/{id}", lambda h: (f"/reports/reward-history/{h.kids[0].id}", h.parent)),
    ("GET /statistics/weekly-summary", lambda h: ("/statistics/weekly-summary", h.parent)),
    ("GET /statistics/monthly-summary", lambda h: ("/statistics/monthly-summary", h.parent)),
    ("GET /activities/recent as a parent", lambda h: ("/activities/recent", h.parent)),
    ("GET /activities/recent as a child", lambda h: ("/activities/recent", h.kids[0])),
    ("GET /families/stats", lambda h: ("/families/stats", h.parent)),
]


def _reads(api: Api, engine, household: Household) -> dict[str, int]:
    counts = {}
    for name, target in READS:
        path, who = target(household)
        api.get(path, who)  # warm: the pool's first connection may run set-up statements
        with counting_statements(engine) as seen:
            response = api.get(path, who)
        assert response.status_code == 200, (name, response.text)
        counts[name] = len(seen)
    return counts


def _writes(api: Api, engine, household: Household) -> dict[str, int]:
    counts = {}
    with counting_statements(engine) as seen:
        complete(api, household.kids[0], household.todo_chore)
    counts["POST /chores/{id}/complete"] = len(seen)
    with counting_statements(engine) as seen:
        approve(api, household.parent, household.pending_assignment)
    counts["POST /assignments/{id}/approve"] = len(seen)
    return counts


def test_main_endpoints_cost_the_same_for_a_small_and_a_large_family(api, app):
    engine = app.state.engine
    small = build(api, kids=1, chores=2)
    large = build(api, kids=4, chores=12)
    small_reads, large_reads = _reads(api, engine, small), _reads(api, engine, large)
    small_writes, large_writes = _writes(api, engine, small), _writes(api, engine, large)
    assert large_reads == small_reads
    assert large_writes == small_writes
    assert {name: n for name, n in large_reads.items() if n > MAX_READ_STATEMENTS} == {}
    assert {name: n for name, n in large_writes.items() if n > MAX_WRITE_STATEMENTS} == {}


@contextmanager
def orm_writes(session_factory) -> Iterator[list[str]]:
    """The INSERTs, UPDATEs and DELETEs that sessions of the factory run as ORM statements (of mapped
    attributes): the ORM annotates such a statement anew at every execution, so the cache key of its
    compiled form is computed every time (docs/performance.md, "The writes")."""
    seen: list[str] = []

    def record(state) -> None:
        if state.is_orm_statement and (state.is_insert or state.is_update or state.is_delete):
            seen.append(str(state.statement))

    event.listen(session_factory, "do_orm_execute", record)
    try:
        yield seen
    finally:
        event.remove(session_factory, "do_orm_execute", record)


def test_a_completion_and_its_approval_write_with_core_statements_only(api, app):
    parent = api.parent()
    child = api.child(parent)
    # As bench/reads.py's cycle: a recurring chore, available again at once (its occurrences too),
    # and a one-off one.
    recurring = chore(api, parent, assignee_ids=[child.id], is_recurring=True, cooldown_days=0)
    one_off = chore(api, parent, title="Once", assignee_ids=[child.id])
    with orm_writes(app.state.session_factory) as seen:
        for _ in range(2):
            approve(api, parent, complete(api, child, recurring["id"])["id"])
        approve(api, parent, complete(api, child, one_off["id"])["id"])
    assert seen == []
