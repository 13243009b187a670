"""The demo family (`chores-tracker demo`): what it makes, that its money adds up, and what it refuses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from chores_tracker import demo
from chores_tracker.chores.models import Completion, CompletionStatus
from chores_tracker.db.base import Base
from chores_tracker.db.engine import make_session_factory
from chores_tracker.families.models import Family
from chores_tracker.identity.models import User
from chores_tracker.ledger.models import EntryKind, LedgerEntry

# A Monday evening: the three weeks before it hold two Sundays with payouts, whatever today is.
NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)


@pytest.fixture
def session(app, database) -> Iterator[Session]:
    """A session on the app's (emptied) database: the demo is made beside a running app, as by the command."""
    with make_session_factory(database.engine)() as db_session:
        yield db_session


def _every_row(engine: sa.Engine) -> dict[str, list[tuple]]:
    with engine.connect() as connection:
        return {
            table.name: sorted(connection.execute(sa.select(table)).all(), key=repr)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("now", [NOW, NOW.replace(hour=7)], ids=["evening", "morning"])
def test_it_makes_two_parents_three_children_and_weeks_of_chores_and_money(session, database, now):
    made = demo.create_demo_family(session, database.settings(), now=now)

    family = session.get(Family, made.family_id)
    members = session.scalars(sa.select(User).where(User.family_id == made.family_id)).all()
    parents = sorted(user.username for user in members if user.is_parent)
    children = sorted(user.username for user in members if not user.is_parent)
    assert parents == sorted([demo.OWNER, demo.SECOND_PARENT])
    assert children == sorted(demo.CHILDREN)
    owner = next(user for user in members if user.username == demo.OWNER)
    assert family is not None and family.owner_id == owner.id and family.name == demo.FAMILY_NAME

    completions = session.scalars(sa.select(Completion).where(Completion.family_id == made.family_id)).all()
    statuses = [completion.status for completion in completions]
    assert statuses.count(CompletionStatus.approved.value) >= 40
    assert statuses.count(CompletionStatus.rejected.value) >= 2
    assert statuses.count(CompletionStatus.pending.value) >= 1, "the approval queue has work"
    assert len({completion.child_id for completion in completions}) == 3
    # Weeks of history, and none of it after the moment the demo was made for.
    assert min(completion.completed_at for completion in completions) <= now - timedelta(days=14)
    assert max(completion.completed_at for completion in completions) <= now

    entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.family_id == made.family_id)).all()
    adjustments = [entry.amount_cents for entry in entries if entry.kind == EntryKind.adjustment.value]
    assert any(cents > 0 for cents in adjustments) and any(cents < 0 for cents in adjustments)
    assert sum(entry.kind == EntryKind.payout.value for entry in entries) >= 2
    assert max(entry.created_at for entry in entries) <= now
    assert made.counts["approved"] == statuses.count(CompletionStatus.approved.value)
    assert made.counts["payouts"] == sum(entry.kind == EntryKind.payout.value for entry in entries)


def test_each_childs_balance_is_what_was_approved_adjusted_and_paid_in_cents(session, database, api):
    demo.create_demo_family(session, database.settings(), now=NOW)

    for username in demo.CHILDREN:
        child = session.scalar(sa.select(User).where(User.username == username))
        assert child is not None
        approved = sum(
            completion.reward_cents or 0
            for completion in session.scalars(
                sa.select(Completion).where(
                    Completion.child_id == child.id, Completion.status == CompletionStatus.approved.value
                )
            )
        )
        entries = session.scalars(sa.select(LedgerEntry).where(LedgerEntry.child_id == child.id)).all()
        adjusted = sum(entry.amount_cents for entry in entries if entry.kind == EntryKind.adjustment.value)
        paid = sum(entry.amount_cents for entry in entries if entry.kind == EntryKind.payout.value)
        assert approved > 0 and paid > 0

        token = api.token_for(username, demo.PASSWORD)
        balance = api.client.get("/api/v1/users/me/balance", headers={"Authorization": f"Bearer {token}"})
        assert balance.status_code == 200, balance.text
        figures = balance.json()
        # The answer's amounts are JSON numbers with two decimals: compare them in cents.
        assert round(figures["total_earned"] * 100) == approved
        assert round(figures["adjustments"] * 100) == adjusted
        assert round(figures["paid_out"] * 100) == paid
        assert round(figures["balance"] * 100) == approved + adjusted - paid >= 0


def test_the_parents_log_in_with_the_printed_password_and_see_the_queue(session, database, api):
    demo.create_demo_family(session, database.settings(), now=NOW)

    token = api.token_for(demo.SECOND_PARENT, demo.PASSWORD)
    pending = api.client.get("/api/v1/chores/pending-approval", headers={"Authorization": f"Bearer {token}"})
    assert pending.status_code == 200, pending.text
    assert pending.json() and {item["assignee"]["username"] for item in pending.json()} <= set(demo.CHILDREN)


def test_a_second_run_refuses_and_changes_nothing(session, database):
    demo.create_demo_family(session, database.settings(), now=NOW)
    before = _every_row(database.engine)

    with pytest.raises(demo.DemoRefused, match="usernames are taken"):
        demo.create_demo_family(session, database.settings())

    assert _every_row(database.engine) == before
    assert demo.is_there(session)


def test_a_family_using_one_of_the_names_is_not_touched(session, database, api):
    parent = api.parent(family_name="Not the demo")
    api.child(parent, username="demo-leo")
    before = _every_row(database.engine)

    with pytest.raises(demo.DemoRefused, match="demo-leo"):
        demo.create_demo_family(session, database.settings(), now=NOW)

    assert _every_row(database.engine) == before
    assert not demo.is_there(session)


def test_it_refuses_a_production_environment_before_writing_anything(session, database):
    production = database.settings(environment="production", secret_key="x" * 48)
    before = _every_row(database.engine)

    with pytest.raises(demo.DemoRefused, match="production"):
        demo.create_demo_family(session, production, now=NOW)

    assert _every_row(database.engine) == before


def test_it_refuses_when_the_servers_password_rules_would_stop_it_halfway(session, database):
    strict = database.settings(password_min_length=len(demo.PASSWORD) + 1)

    with pytest.raises(demo.DemoRefused, match="password"):
        demo.create_demo_family(session, strict, now=NOW)

    assert session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_the_command_prints_the_logins_and_again_only_when_asked_to_accept_an_existing_demo(
    session, database, monkeypatch
):
    from chores_tracker.cli import app as cli
    from chores_tracker.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", database.url_string)
    monkeypatch.setenv("ENVIRONMENT", "development")
    runner = CliRunner()

    def run(*arguments: str):
        get_settings.cache_clear()  # each run is a new process, which reads the environment anew
        try:
            return runner.invoke(cli, list(arguments))
        finally:
            get_settings.cache_clear()

    first = run("demo")
    assert first.exit_code == 0, first.output
    assert "password demo-chores-2026" in first.output
    for username in demo.USERNAMES:
        assert username in first.output

    again = run("demo")
    assert again.exit_code == 1
    assert "usernames are taken" in again.output

    accepted = run("demo", "--existing-ok")
    assert accepted.exit_code == 0, accepted.output
    assert "already here" in accepted.output and demo.OWNER in accepted.output

    monkeypatch.setenv("ENVIRONMENT", "production")
    monkeypatch.setenv("SECRET_KEY", "y" * 48)
    refused = run("demo", "--existing-ok")
    assert refused.exit_code == 1
    assert "production" in refused.output


def test_the_command_on_a_database_never_migrated_says_so_in_one_line(tmp_path, monkeypatch):
    from chores_tracker.cli import app as cli
    from chores_tracker.settings import get_settings

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.db'}")
    monkeypatch.setenv("ENVIRONMENT", "development")
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["demo"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 1
    assert "run `db upgrade` first" in result.output and "no such table" in result.output
    assert "Traceback" not in result.output
