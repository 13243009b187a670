"""`chores-tracker db ...`: what each command prints and the exit codes scripts rely on."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from chores_tracker.migrations import runner
from chores_tracker.migrations.config import migration_settings
from chores_tracker.migrations.exit_codes import ExitCode
from tests.migrations.helpers import code_head, version_rows


@pytest.fixture
def db(fresh_database, monkeypatch):
    """Invoke `chores-tracker db ...` in process against a fresh SQLite database."""
    from chores_tracker.migrations.commands import db_app

    database = fresh_database("sqlite")
    monkeypatch.setenv("DATABASE_URL", database.url_string)
    monkeypatch.setenv("LOG_FORMAT", "json")
    cli_runner = CliRunner()

    def invoke(*args: str, **env: str):
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        migration_settings.cache_clear()
        return cli_runner.invoke(db_app, list(args), catch_exceptions=False)

    invoke.database = database
    yield invoke
    migration_settings.cache_clear()


def previous(revision: str) -> str:
    from chores_tracker.migrations.revisions import load_code_revisions

    parents = load_code_revisions().parents[revision]
    return parents[0] if parents else "base"


def test_status_exit_codes_follow_the_state_of_the_database(db):
    empty = db("status", "--json")
    assert empty.exit_code == ExitCode.STATUS_BEHIND == 10
    assert json.loads(empty.stdout.splitlines()[-1])["state"] == "empty"

    runner.upgrade(db.database.url, "head")
    at_head = db("status", "--json")
    assert at_head.exit_code == 0
    report = json.loads(at_head.stdout.splitlines()[-1])
    assert (report["state"], report["current"], report["head"], report["pending"]) == (
        "at_head",
        [code_head()],
        [code_head()],
        [],
    )

    with db.database.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f0r31gn'"))
    unknown = db("status")
    assert unknown.exit_code == ExitCode.STATUS_UNKNOWN == 11
    assert "state:    unknown" in unknown.stdout


def test_status_lists_the_pending_revisions(db):
    head = code_head()
    if previous(head) != "base":
        runner.upgrade(db.database.url, previous(head))
    behind = db("status")
    assert behind.exit_code == ExitCode.STATUS_BEHIND
    assert f"pending:  {head} " in behind.stdout


def test_current_marks_the_revision_against_the_head(db):
    runner.upgrade(db.database.url, "head")
    assert db("current").stdout.strip() == f"{code_head()} (head)"
    assert db("heads").stdout.startswith(f"{code_head()} (head)")


def test_downgrade_and_stamp_refuse_without_yes_and_log_before_and_after(db):
    head = code_head()
    runner.upgrade(db.database.url, "head")

    refused = db("downgrade", "-1")
    assert refused.exit_code == ExitCode.USAGE
    assert "without --yes" in refused.stderr and version_rows(db.database.engine) == [head]
    assert db("stamp", "base").exit_code == ExitCode.USAGE and version_rows(db.database.engine) == [head]

    done = db("downgrade", "-1", "--yes")
    assert done.exit_code == 0, done.stderr
    messages = [json.loads(line)["message"] for line in done.stderr.splitlines()]
    assert f"before downgrade: the database is at {head}" in messages
    after = previous(head)
    assert f"after downgrade: the database is at {after if after != 'base' else 'base (empty)'}" in messages

    stamped = db("stamp", head, "--yes")
    assert stamped.exit_code == 0 and version_rows(db.database.engine) == [head]


def test_sql_prints_what_an_upgrade_would_run_without_running_it(db):
    from_base = db("sql", "--from", "base")
    assert from_base.exit_code == 0
    assert "CREATE TABLE families" in from_base.stdout and "CREATE TABLE users" in from_base.stdout
    assert "alembic_version" not in sa.inspect(db.database.engine).get_table_names(), "--from needs no connection"

    runner.upgrade(db.database.url, "head")
    at_head = db("sql")
    assert at_head.exit_code == 0 and "CREATE TABLE" not in at_head.stdout


def test_history_shows_what_the_database_recorded(db):
    runner.upgrade(db.database.url, "head")
    applied = db("history", "--applied")
    lines = applied.stdout.splitlines()
    assert lines and code_head() in lines[0] and "upgrade" in lines[0] and "applied" in lines[0]


def test_db_commands_need_only_the_database_url_even_in_production(db):
    result = db("status", ENVIRONMENT="production", SECRET_KEY="")
    assert result.exit_code == ExitCode.STATUS_BEHIND, result.stderr


def test_a_bad_revision_name_is_a_usage_error(db):
    result = db("upgrade", "no-such-revision")
    assert result.exit_code == ExitCode.USAGE
    assert "no-such-revision" in result.stderr
