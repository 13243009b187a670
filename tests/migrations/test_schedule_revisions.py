"""The schedule revisions (0014-0018) over a family the previous release wrote, on every database.

A database at 0013 gets, through raw rows, two families with recurring and one-off chores in
every assignment state, approved and rejected history, pending approvals, bonuses, penalties and
payouts. Upgraded to head, the money, the history and the queue read exactly as before, every
chore has the schedule its cooldown meant, and every open assignment of a recurring chore has its
occurrence.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from chores_tracker.chores.schedule import ScheduleKind, ScheduleSpec
from chores_tracker.migrations import runner

T0 = datetime(2026, 11, 20, 9, 0, 0)  # noqa: DTZ001 (raw rows hold naive UTC, as the database does)
LATER = datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=2)

HISTORY_TABLES = ("families", "users", "chore_assignments", "chore_completions", "activities")


def _table(connection: sa.Connection, name: str) -> sa.Table:
    return sa.Table(name, sa.MetaData(), autoload_with=connection)


def seed(connection: sa.Connection) -> None:
    def add(name: str, rows: list[dict]) -> None:
        table = _table(connection, name)
        for row in rows:  # one at a time: the rows name different columns
            connection.execute(table.insert().values(**row))

    add(
        "families",
        [
            {"id": 1, "name": "Riveras", "invite_code": "AAAA2222", "owner_id": None},
            {"id": 2, "name": "Okafors", "invite_code": "BBBB2222", "owner_id": None},
        ],
    )
    people = [(10, 1, True), (11, 1, False), (12, 1, False), (20, 2, True), (21, 2, False)]
    add(
        "users",
        [
            {"id": i, "username": f"u{i}", "hashed_password": "x", "is_parent": p, "family_id": f, "is_active": True}
            for i, f, p in people
        ],
    )
    chore = {
        "description": None,
        "reward_cents": 150,
        "is_range_reward": False,
        "is_disabled": False,
        "created_at": T0,
        "updated_at": T0,
        "creator_id": 10,
    }
    add(
        "chores",
        [
            # recurring, every 2 days, two children: one waiting for review, one cooling down
            {
                **chore,
                "id": 1,
                "family_id": 1,
                "title": "Dishes",
                "is_recurring": True,
                "cooldown_days": 2,
                "assignment_mode": "multi_independent",
            },
            # recurring daily pool chore, free now
            {
                **chore,
                "id": 2,
                "family_id": 1,
                "title": "Trash",
                "is_recurring": True,
                "cooldown_days": 1,
                "assignment_mode": "unassigned",
            },
            # one-off, approved long ago
            {
                **chore,
                "id": 3,
                "family_id": 1,
                "title": "Garage",
                "is_recurring": False,
                "cooldown_days": None,
                "assignment_mode": "single",
            },
            # the other family: recurring with cooldown 0, available again (cooldown passed)
            {
                **chore,
                "id": 4,
                "family_id": 2,
                "title": "Bed",
                "is_recurring": True,
                "cooldown_days": 0,
                "assignment_mode": "single",
            },
            # deleted recurring chore: no occurrence
            {
                **chore,
                "id": 5,
                "family_id": 2,
                "title": "Old",
                "is_recurring": True,
                "cooldown_days": 3,
                "assignment_mode": "single",
                "deleted_at": T0,
            },
        ],
    )
    add(
        "chore_assignments",
        [
            {"id": 1, "chore_id": 1, "assignee_id": 11, "state": "completed", "completed_at": T0 + timedelta(hours=5)},
            {
                "id": 2,
                "chore_id": 1,
                "assignee_id": 12,
                "state": "approved",
                "completed_at": T0,
                "approved_at": T0 + timedelta(hours=1),
                "approval_reward_cents": 150,
                "available_at": LATER,
            },
            {"id": 3, "chore_id": 2, "assignee_id": None, "state": "available", "rejection_reason": "missed a bag"},
            {
                "id": 4,
                "chore_id": 3,
                "assignee_id": 11,
                "state": "approved",
                "completed_at": T0,
                "approved_at": T0,
                "approval_reward_cents": 150,
            },
            {
                "id": 5,
                "chore_id": 4,
                "assignee_id": 21,
                "state": "approved",
                "completed_at": T0,
                "approved_at": T0,
                "approval_reward_cents": 150,
                "available_at": T0,
            },
            {"id": 6, "chore_id": 5, "assignee_id": 21, "state": "available"},
        ],
    )
    done = {"status": "approved", "reward_cents": 150, "reviewer_id": 10, "reviewed_at": T0 + timedelta(hours=1)}
    add(
        "chore_completions",
        [
            {**done, "id": 1, "chore_id": 1, "assignment_id": 2, "child_id": 12, "family_id": 1, "completed_at": T0},
            {**done, "id": 2, "chore_id": 3, "assignment_id": 4, "child_id": 11, "family_id": 1, "completed_at": T0},
            {
                "id": 3,
                "chore_id": 2,
                "assignment_id": 3,
                "child_id": 12,
                "family_id": 1,
                "status": "rejected",
                "completed_at": T0,
                "reviewer_id": 10,
                "reviewed_at": T0,
                "rejection_reason": "missed a bag",
            },
            {
                "id": 4,
                "chore_id": 1,
                "assignment_id": 1,
                "child_id": 11,
                "family_id": 1,
                "status": "pending",
                "completed_at": T0 + timedelta(hours=5),
            },
            {**done, "id": 5, "chore_id": 4, "assignment_id": 5, "child_id": 21, "family_id": 2, "completed_at": T0},
        ],
    )
    entry = {"created_at": T0 + timedelta(hours=1), "author_id": 10}
    add(
        "ledger_entries",
        [
            {
                **entry,
                "id": 1,
                "family_id": 1,
                "child_id": 12,
                "kind": "chore_earning",
                "amount_cents": 150,
                "chore_id": 1,
                "chore_title": "Dishes",
                "completion_id": 1,
            },
            {
                **entry,
                "id": 2,
                "family_id": 1,
                "child_id": 11,
                "kind": "chore_earning",
                "amount_cents": 150,
                "chore_id": 3,
                "chore_title": "Garage",
                "completion_id": 2,
            },
            {
                **entry,
                "id": 3,
                "family_id": 1,
                "child_id": 11,
                "kind": "adjustment",
                "amount_cents": -75,
                "note": "late",
            },
            {
                **entry,
                "id": 4,
                "family_id": 1,
                "child_id": 12,
                "kind": "adjustment",
                "amount_cents": 500,
                "note": "birthday",
            },
            {**entry, "id": 5, "family_id": 1, "child_id": 12, "kind": "payout", "amount_cents": 200},
            {
                "id": 6,
                "family_id": 2,
                "child_id": 21,
                "kind": "chore_earning",
                "amount_cents": 150,
                "chore_id": 4,
                "chore_title": "Bed",
                "completion_id": 5,
                "created_at": T0,
                "author_id": 20,
            },
        ],
    )
    add(
        "activities",
        [
            {
                "id": 1,
                "family_id": 1,
                "user_id": 11,
                "activity_type": "chore_completed",
                "description": "u11 did",
                "created_at": T0,
                "chore_id": 1,
                "chore_title": "Dishes",
            },
            {
                "id": 2,
                "family_id": 1,
                "user_id": 10,
                "activity_type": "adjustment_applied",
                "description": "late",
                "created_at": T0,
                "amount_cents": -75,
                "ledger_entry_id": 3,
            },
        ],
    )


def columns_of_the_previous_release(connection: sa.Connection) -> dict[str, list[str]]:
    """The columns of the history tables and the ledger as the previous release made them: later
    revisions add columns (expand), which the comparison leaves out."""
    return {
        name: [column.name for column in _table(connection, name).columns]
        for name in (*HISTORY_TABLES, "ledger_entries")
    }


def snapshot(connection: sa.Connection, known: dict[str, list[str]]) -> dict:
    """Every row of the history tables, and the ledger's rows, in the previous release's columns."""
    found = {}
    for name, columns in known.items():
        table = _table(connection, name)
        found[name] = sorted(map(tuple, connection.execute(sa.select(*(table.c[c] for c in columns))).all()))
    ledger = _table(connection, "ledger_entries")
    signed = sa.case((ledger.c.kind == "payout", -ledger.c.amount_cents), else_=ledger.c.amount_cents)
    found["balances"] = dict(
        connection.execute(sa.select(ledger.c.child_id, sa.func.sum(signed)).group_by(ledger.c.child_id)).all()
    )
    assignments, completions = _table(connection, "chore_assignments"), _table(connection, "chore_completions")
    found["pending approvals"] = sorted(
        connection.execute(
            sa.select(assignments.c.id, completions.c.id)
            .join(completions, completions.c.assignment_id == assignments.c.id)
            .where(assignments.c.state == "completed", completions.c.status == "pending")
        ).all()
    )
    return found


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_a_family_of_the_previous_release_keeps_its_money_history_and_queue_and_gets_schedules(backend, fresh_database):
    database = fresh_database(backend)
    runner.upgrade(database.url, "0013")
    with database.engine.begin() as connection:
        seed(connection)
    with database.engine.connect() as connection:
        known = columns_of_the_previous_release(connection)
        before = snapshot(connection, known)
    assert before["balances"] == {11: 75, 12: 450, 21: 150}
    assert before["pending approvals"] == [(1, 4)]

    runner.upgrade(database.url, "head")

    with database.engine.connect() as connection:
        assert snapshot(connection, known) == before
        chores = _table(connection, "chores")
        stored = dict(connection.execute(sa.select(chores.c.id, chores.c.schedule)).all())
        occurrences = _table(connection, "chore_occurrences")
        rows = connection.execute(
            sa.select(
                occurrences.c.chore_id,
                occurrences.c.lane,
                occurrences.c.child_id,
                occurrences.c.due_on,
                occurrences.c.state,
                occurrences.c.completion_id,
                occurrences.c.missed_penalty_cents,
            ).order_by(occurrences.c.chore_id, occurrences.c.lane)
        ).all()
        starts = dict(connection.execute(sa.select(chores.c.id, chores.c.schedule_start)).all())

    schedules = {chore_id: ScheduleSpec.model_validate_json(text) for chore_id, text in stored.items()}
    assert {chore_id: (spec.kind, spec.interval) for chore_id, spec in schedules.items()} == {
        1: (ScheduleKind.after_completion, 2),
        2: (ScheduleKind.after_completion, 1),
        3: (ScheduleKind.once, None),
        4: (ScheduleKind.after_completion, 0),
        5: (ScheduleKind.after_completion, 3),
    }
    assert all(starts[chore_id] == T0 for chore_id in starts)
    today = datetime.now(UTC).date()
    assert [tuple(row) for row in rows] == [
        (1, 11, 11, date(2026, 11, 20), "done", 4, 0),  # waiting for review, with its completion
        (1, 12, 12, LATER.date(), "upcoming", None, 0),  # cooling down: due when the cooldown ends
        (2, 0, None, today, "due", None, 0),  # the free pool chore: due today
        (4, 21, 21, T0.date(), "due", None, 0),  # cooldown over: due since
    ]


def test_the_backfill_renders_as_sql_for_each_database():
    """`chores-tracker db sql` prints it: the backfill is SQL, with each database's date arithmetic."""
    from tests.migrations.breaking_changes import render_upgrade
    from tests.migrations.test_revision_rails import script_directory

    module = script_directory().get_revision("0018").module
    for dialect, day_after in {
        "postgresql": "AS DATE) + 1 AS TIMESTAMP",
        "mysql": "date_add(date(",
        "sqlite": "strftime(",
    }.items():
        sql = render_upgrade(module, dialect)
        assert "INSERT INTO chore_occurrences" in sql and day_after in sql, sql
