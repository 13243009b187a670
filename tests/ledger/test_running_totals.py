"""Per-child running totals (child_totals): kept in the same transaction as every ledger row, read
by the allowance summary and the balance, checked and rewritten by `chores-tracker db verify-totals`.

After a mixed history (approvals one by one, in bulk and automatic; bonuses, penalties, payouts,
reversals, a missed chore's penalty from the time step) every total is recomputed here from the
ledger's rows, in Python, and must agree. During a rolling update from a release before 0031 (which
writes ledger rows without totals) the reads add up the ledger, until `verify-totals --fix`.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select, update

from chores_tracker import clock
from chores_tracker.chores import service as chores
from chores_tracker.chores.schemas import ChoreCreate
from chores_tracker.chores.timestep import run_time_step
from chores_tracker.db.revisions import bump
from chores_tracker.identity.models import User
from chores_tracker.ledger.models import TOTALS_UNVERIFIED, LedgerEntry, LedgerMarker, RunningTotals
from chores_tracker.ledger.service import verify_totals
from tests.migrations.helpers import cli, process_env
from tests.support.family import approve, chore, complete, family

MONDAY = datetime(2027, 1, 4, 8, 0, tzinfo=UTC)
DAILY_6PM_FINE = {"kind": "daily", "due_time": "18:00", "grace_hours": 1, "missed_penalty_cents": 75}
SUMMED = ("earned_cents", "earned_count", "adjustments_cents", "paid_out_cents")


def from_the_ledger(app) -> dict[int, tuple[int, int, int, int]]:
    """Every child's totals, added up here from every ledger row."""
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    with app.state.session_factory() as session:
        for child_id, kind, cents in session.execute(
            select(LedgerEntry.child_id, LedgerEntry.kind, LedgerEntry.amount_cents)
        ):
            column = {"chore_earning": 0, "adjustment": 2, "payout": 3}[kind]
            sums[child_id][column] += cents
            sums[child_id][1] += kind == "chore_earning"
    return {child_id: (a, b, c, d) for child_id, (a, b, c, d) in sums.items()}


def kept(app) -> dict[int, tuple[int, int, int, int]]:
    table = RunningTotals.__table__
    with app.state.session_factory() as session:
        rows = session.execute(select(table.c.child_id, *(table.c[name] for name in SUMMED))).all()
    return {row[0]: tuple(int(value) for value in row[1:]) for row in rows}


def summary_rows(api, parent) -> dict[int, dict]:
    answer = api.get("/reports/allowance-summary", parent)
    assert answer.status_code == 200, answer.text
    return {row["id"]: row for row in answer.json()["child_summaries"]}


def mixed_history(api, app) -> tuple:
    home = family(api, kids=2)
    anna, ben = home.kids
    parent = home.parent
    # Approvals one at a time, one at a chosen amount, in bulk, and automatic.
    for title, kid in (("Dishes", anna), ("Bins", ben), ("Lawn", anna)):
        made = chore(api, parent, title=title, reward="1.25", assignee_ids=[kid.id])
        approve(api, parent, complete(api, kid, made["id"])["id"])
    ranged = chore(
        api, parent, title="Car", is_range_reward=True, min_reward="1.00", max_reward="3.00", assignee_ids=[ben.id]
    )
    approve(api, parent, complete(api, ben, ranged["id"])["id"], amount="2.40")
    for kid in (anna, ben):
        complete(api, kid, chore(api, parent, title=f"Bed {kid.username}", reward="0.80", assignee_ids=[kid.id])["id"])
    assert api.post("/assignments/approve-many", parent, json={}).status_code == 200
    automatic = chore(api, parent, title="Plants", reward="0.55", assignee_ids=[anna.id], auto_approve=True)
    complete(api, anna, automatic["id"])
    # Bonuses, penalties, payouts.
    for kid, amount in ((anna, "2.00"), (ben, "-0.35"), (anna, "-1.10")):
        made = api.post("/adjustments/", parent, json={"child_id": kid.id, "amount": amount, "reason": "because"})
        assert made.status_code == 201, made.text
    paid = api.post("/payouts/", parent, json={"child_id": anna.id, "amount": "1.50"})
    assert paid.status_code == 201, paid.text
    # Reversals: of an approval's earning and of the payout.
    entries = api.get(f"/ledger/child/{anna.id}", parent).json()
    for entry in (next(e for e in entries if e["kind"] == "chore_earning"), paid.json()):
        reversed_ = api.post(f"/ledger/entries/{entry['id']}/reverse", parent, json={})
        assert reversed_.status_code == 201, reversed_.text
    # A missed chore's penalty, charged by the time step.
    with app.state.session_factory() as session, clock.told(MONDAY):
        chores.create_chore(
            session,
            session.get(User, parent.id),
            ChoreCreate(title="Feed the cat", reward="1.00", assignee_ids=[ben.id], schedule=DAILY_6PM_FINE),
        )
    assert run_time_step(app.state.session_factory, datetime(2027, 1, 5, 0, 0, tzinfo=UTC)).penalties == 1
    return home


def test_every_total_agrees_with_the_ledger_after_a_mixed_history(api, app):
    home = mixed_history(api, app)
    ledger = from_the_ledger(app)
    assert set(ledger) == {kid.id for kid in home.kids}
    assert kept(app) == ledger
    with app.state.session_factory() as session:
        found = verify_totals(session)
    assert (found.checked, found.disagreements, found.unverified) == (2, [], False)
    # The reads answer the same figures.
    rows = summary_rows(api, home.parent)
    for kid in home.kids:
        earned, count, adjustments, paid_out = ledger[kid.id]
        row = rows[kid.id]
        assert (row["total_earned"], row["completed_chores"]) == (earned / 100, count)
        assert (row["total_adjustments"], row["paid_out"]) == (adjustments / 100, paid_out / 100)
        assert row["balance_due"] == (earned + adjustments - paid_out) / 100
        balance = api.get("/users/me/balance", kid).json()
        assert balance["balance"] == (earned + adjustments - paid_out) / 100


def test_the_reads_use_the_totals(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    approve(api, home.parent, complete(api, kid, chore(api, home.parent, assignee_ids=[kid.id])["id"])["id"])
    with app.state.session_factory() as session:
        session.execute(update(RunningTotals).values(earned_cents=12345))
        session.commit()
    # Made wrong by hand, the totals show: the reads do not add up the ledger.
    assert summary_rows(api, home.parent)[kid.id]["total_earned"] == 123.45
    assert api.get("/users/me/balance", kid).json()["total_earned"] == 123.45
    # A summary over a period still adds up the ledger.
    period = api.get("/reports/allowance-summary", home.parent, params={"date_from": "2020-01-01"}).json()
    assert period["child_summaries"][0]["total_earned"] == 1.0


def test_a_rolling_update_reads_the_ledger_until_verify_totals_fix(api, app, database, tmp_path: Path):
    """Revision 0031 sets the marker on a database that has families; a release before 0031, still
    running, writes a ledger row without totals. The reads add up the ledger meanwhile; verify-totals
    finds the difference (exit 12, a line per child), --fix rewrites it and removes the marker."""
    home = family(api, kids=2)
    anna, ben = home.kids
    approve(api, home.parent, complete(api, anna, chore(api, home.parent, assignee_ids=[anna.id])["id"])["id"])
    with app.state.session_factory() as session:
        session.add(LedgerMarker(name=TOTALS_UNVERIFIED))
        # The old release's write: a ledger row, no totals.
        family_id = session.get(User, ben.id).family_id
        session.add(LedgerEntry(family_id=family_id, child_id=ben.id, kind="adjustment", amount_cents=-40))
        session.commit()
    assert summary_rows(api, home.parent)[ben.id]["total_adjustments"] == -0.4
    assert api.get("/users/me/balance", ben).json()["adjustments"] == -0.4

    env = process_env(database.url)
    found = cli("verify-totals", env=env, cwd=tmp_path)
    assert found.returncode == 12, found.describe()
    assert found.stdout.splitlines() == [
        (
            f"child {ben.id}: kept earned 0.00 (0), adjustments 0.00, paid out 0.00; "
            "ledger earned 0.00 (0), adjustments -0.40, paid out 0.00"
        )
    ]
    fixed = cli("verify-totals", "--fix", env=env, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.describe()
    assert fixed.stdout.strip().endswith(": fixed")
    assert kept(app) == from_the_ledger(app)
    with app.state.session_factory() as session:
        assert session.scalars(select(LedgerMarker.name)).all() == []
    again = cli("verify-totals", env=env, cwd=tmp_path)
    assert (again.returncode, again.stdout) == (0, ""), again.describe()
    # Trusted now: the reads use the totals (made wrong by hand, they show; the family's revision
    # bumped by hand too, or the answer kept from before would be sent again).
    with app.state.session_factory() as session:
        session.execute(update(RunningTotals).where(RunningTotals.child_id == ben.id).values(adjustments_cents=-99))
        bump(session, [family_id])
        session.commit()
    assert summary_rows(api, home.parent)[ben.id]["total_adjustments"] == -0.99


def test_a_child_without_entries_has_zero_totals(api, app):
    home = family(api, kids=1)
    with app.state.session_factory() as session:
        session.execute(delete(RunningTotals))
        session.commit()
    row = summary_rows(api, home.parent)[home.kids[0].id]
    assert (row["total_earned"], row["balance_due"], row["completed_chores"]) == (0, 0, 0)
    assert api.get("/users/me/balance", home.kids[0]).json()["balance"] == 0


def test_fix_rewrites_a_wrong_total_and_later_entries_add_to_it(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
    for _ in range(3):
        approve(api, home.parent, complete(api, kid, made["id"])["id"])
    with app.state.session_factory() as session:
        session.execute(update(RunningTotals).values(earned_cents=1))  # wrong: --fix rewrites it
        session.commit()
    with app.state.session_factory() as session:
        result = verify_totals(session, fix=True)
    assert [found.child_id for found in result.disagreements] == [kid.id] and result.fixed
    approve(api, home.parent, complete(api, kid, made["id"])["id"])
    assert kept(app) == from_the_ledger(app)
    assert kept(app)[kid.id][:2] == (400, 4)


def test_ledger_rows_are_made_only_where_their_totals_are_kept():
    """add_entry is the one way a ledger row is written: no other module of the app builds one (or
    inserts into the table), so none can forget the child's running totals."""
    import re

    package = Path(__file__).resolve().parents[2] / "backend" / "chores_tracker"
    makers = {
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if re.search(r"(?<!class )\bLedgerEntry\(|insert\(LedgerEntry|INSERT INTO ledger_entries", path.read_text())
    }
    assert makers == {"ledger/service.py"}
    # ... and there every entry goes through add_entry, whose insert_now is the only write of a row.
    service = (package / "ledger" / "service.py").read_text()
    assert (service.count("insert_now("), service.count("session.add(")) == (1, 0)
