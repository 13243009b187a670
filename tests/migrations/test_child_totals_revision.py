"""Revision 0031 (child_totals): filled from the ledger a previous release wrote, on every database;
the marker that keeps the reads on the ledger is set where families exist, not on a new database."""

from __future__ import annotations

from datetime import datetime

import pytest
import sqlalchemy as sa

from chores_tracker.migrations import runner
from tests.migrations.rows import fill_empty_tables

T0 = datetime(2026, 11, 1, 9, 0, 0)  # noqa: DTZ001 (raw rows hold naive UTC, as the database does)
ledger = sa.table(
    "ledger_entries",
    sa.column("family_id"),
    sa.column("child_id"),
    sa.column("kind"),
    sa.column("amount_cents"),
    sa.column("created_at", sa.DateTime()),
)


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_the_totals_are_filled_from_the_ledger_and_the_reads_wait_for_verification(backend, fresh_database):
    database = fresh_database(backend)
    runner.upgrade(database.url, "0030")
    fill_empty_tables(database.engine)  # a family, a child, a first ledger row
    with database.engine.begin() as connection:
        family_id, child_id = connection.execute(sa.select(ledger.c.family_id, ledger.c.child_id)).one()
        first = connection.execute(sa.select(ledger.c.amount_cents)).scalar_one()
        connection.execute(
            ledger.insert(),
            [
                {"family_id": family_id, "child_id": child_id, "kind": kind, "amount_cents": cents, "created_at": T0}
                for kind, cents in (("chore_earning", 125), ("adjustment", -40), ("adjustment", 200), ("payout", 60))
            ],
        )
    runner.upgrade(database.url, "0031")
    with database.engine.connect() as connection:
        totals = connection.execute(
            sa.text("SELECT child_id, earned_cents, earned_count, adjustments_cents, paid_out_cents FROM child_totals")
        ).all()
        markers = connection.execute(sa.text("SELECT name FROM ledger_markers")).scalars().all()
    assert [tuple(row) for row in totals] == [(child_id, first + 125, 2, 160, 60)]
    assert markers == ["child_totals_unverified"]


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_a_new_database_trusts_its_totals_from_the_start(backend, fresh_database):
    database = fresh_database(backend)
    runner.upgrade(database.url, "0031")
    with database.engine.connect() as connection:
        assert connection.execute(sa.text("SELECT count(*) FROM ledger_markers")).scalar_one() == 0
        assert connection.execute(sa.text("SELECT count(*) FROM child_totals")).scalar_one() == 0
