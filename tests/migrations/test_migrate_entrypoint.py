"""migrate-entrypoint.sh as the migration Job runs it: a real process against real databases.

Outages are simulated with a TCP proxy the test controls; the shared database servers are never
touched beyond the fresh databases each test creates.
"""

from __future__ import annotations

import json
import uuid

import pytest
import sqlalchemy as sa

from chores_tracker.db.engine import make_engine
from chores_tracker.migrations.exit_codes import ExitCode
from chores_tracker.migrations.history import file_checksum
from chores_tracker.migrations.lock import migration_lock
from chores_tracker.migrations.revisions import load_code_revisions
from tests.migrations.helpers import (
    MIGRATE_ENTRYPOINT,
    Background,
    cli,
    code_head,
    free_port,
    migrate_entrypoint,
    poll_until,
    process_env,
    table_names,
    version_rows,
)
from tests.support.tcp_proxy import TcpProxy

SERVER_BACKENDS = ("postgresql", "mysql")
ALL_BACKENDS = ("sqlite", "postgresql", "mysql")
DEFAULT_PORTS = {"postgresql": 5432, "mysql": 3306}


def code_revisions_in_order() -> list[str]:
    code = load_code_revisions()
    return code.in_order(set(code.parents))


def events_so_far(text: str, name: str) -> list[dict]:
    """Events in the complete lines of a log still being written."""
    found = []
    for line in text.splitlines(keepends=True):
        if not line.endswith("\n"):
            break
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        if entry.get("event") == name:
            found.append(entry)
    return found


def history_rows(engine: sa.Engine) -> list[sa.Row]:
    with engine.connect() as connection:
        return list(
            connection.execute(
                sa.text(
                    "SELECT revision, operation, status, host, job, script, checksum, error FROM schema_history ORDER BY id"
                )
            )
        )


def proxy_for(database) -> TcpProxy:
    return TcpProxy(database.url.host, database.url.port or DEFAULT_PORTS[database.backend])


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_a_fresh_database_goes_to_head_and_a_second_run_changes_nothing(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    secret = f"pw-{uuid.uuid4().hex[:12]}"
    # PostgreSQL here trusts local connections, so the password is ignored; it must still never be printed.
    url = database.url.set(password=secret) if backend == "postgresql" else database.url
    metrics = tmp_path / "metrics" / "migration.prom"
    env = process_env(url, MIGRATION_METRICS_TEXTFILE=metrics, JOB_NAME="chores-tracker-migration")
    revisions = code_revisions_in_order()
    head = code_head()

    first = migrate_entrypoint(env, tmp_path)

    assert first.returncode == 0, first.describe()
    assert first.events("migration_start"), "the start is logged"
    plan = first.events("migration_plan")[0]
    assert plan["current"] == [] and plan["head"] == [head] and plan["pending"] == revisions
    summary = first.summary
    assert (summary["outcome"], summary["from"], summary["to"]) == ("success", None, head)
    assert summary["applied"] == len(revisions) and summary["revisions"] == revisions
    assert summary["seconds"] > 0
    assert version_rows(database.engine) == [head]
    rows = history_rows(database.engine)
    assert [(row.revision, row.operation, row.status) for row in rows] == [
        (rev, "upgrade", "applied") for rev in revisions
    ]
    code = load_code_revisions()
    for row in rows:
        assert row.job == "chores-tracker-migration" and row.host
        assert row.checksum == file_checksum(code.files[row.revision]) and row.script == code.files[row.revision].name
    exported = metrics.read_text()
    assert "chores_tracker_migration_success 1.0" in exported
    assert f"chores_tracker_migration_revisions_applied {float(len(revisions))}" in exported

    second = migrate_entrypoint(env, tmp_path)

    assert second.returncode == 0, second.describe()
    assert (second.summary["from"], second.summary["to"], second.summary["applied"]) == (head, head, 0)
    assert version_rows(database.engine) == [head]
    assert len(history_rows(database.engine)) == len(rows)
    assert "chores_tracker_migration_revisions_applied 0.0" in metrics.read_text()
    assert secret not in first.output + second.output


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_a_database_down_at_start_is_waited_for_and_migrated_when_it_comes_up(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    with proxy_for(database) as proxy:
        proxy.cut()
        job = Background(
            ["sh", str(MIGRATE_ENTRYPOINT)],
            process_env(proxy.url_for(database.url), DB_WAIT_TIMEOUT_SECONDS=60),
            tmp_path,
            "job",
        )
        try:
            failed = poll_until(lambda: events_so_far(job.stderr, "database_wait"), 30, "a failed connection attempt")
            proxy.restore()
            result = job.wait(timeout=60)
        finally:
            job.stop()
    assert failed[0]["cause"] == "connection refused"
    assert result.returncode == 0, result.describe()
    assert result.summary["applied"] == len(code_revisions_in_order())
    assert version_rows(database.engine) == [code_head()]


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_past_the_wait_timeout_the_job_exits_with_the_unreachable_code(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    with proxy_for(database) as proxy:
        proxy.cut()
        result = migrate_entrypoint(process_env(proxy.url_for(database.url), DB_WAIT_TIMEOUT_SECONDS=1), tmp_path)
    assert result.returncode == ExitCode.DATABASE_UNREACHABLE == 3, result.describe()
    error = result.events("migration_error")[0]
    assert "connection refused" in error["message"] and error["retryable"] is True
    assert result.summary["outcome"] == "failed" and result.summary["exit_code"] == 3


def test_each_failed_attempt_says_what_failed_and_never_shows_the_password(fresh_database, tmp_path):
    postgres, mysql = fresh_database("postgresql"), fresh_database("mysql")
    secret = f"pw-{uuid.uuid4().hex[:12]}"
    cases = {
        "name lookup failed": postgres.url.set(host="db.invalid", password=secret),
        "connection refused": postgres.url.set(port=free_port(), password=secret),
        "database does not exist": postgres.url.set(database=f"ct_missing_{uuid.uuid4().hex[:6]}", password=secret),
        "authentication failed": mysql.url.set(password=secret),
    }
    for cause, url in cases.items():
        result = cli("wait", "--timeout", "0", env=process_env(url), cwd=tmp_path)
        assert result.returncode == ExitCode.DATABASE_UNREACHABLE, result.describe()
        assert cause in result.stderr, f"{cause!r} not named:\n{result.stderr}"
        assert secret not in result.output


@pytest.mark.parametrize("backend", ALL_BACKENDS)
def test_five_runs_started_together_apply_the_revisions_once(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    env = process_env(database.url)
    revisions = code_revisions_in_order()
    # Hold the lock while the five start, so that they all contend for it the moment it is free.
    holder = migration_lock(make_engine(database.url))
    holder.acquire(timeout=0)
    jobs = [Background(["sh", str(MIGRATE_ENTRYPOINT)], env, tmp_path, f"job{i}") for i in range(5)]
    try:
        poll_until(
            lambda: all(events_so_far(job.stderr, "migration_lock_wait") for job in jobs),
            60,
            "all five runs to wait for the migration lock",
        )
        holder.release()
        results = [job.wait(timeout=90) for job in jobs]
    finally:
        holder.release()
        for job in jobs:
            job.stop()
        holder.engine.dispose()

    assert [result.returncode for result in results] == [0] * 5, "\n".join(result.describe() for result in results)
    applied = sorted(result.summary["applied"] for result in results)
    assert applied == [0, 0, 0, 0, len(revisions)]
    assert version_rows(database.engine) == [code_head()]
    upgrades = [row.revision for row in history_rows(database.engine) if row.operation == "upgrade"]
    assert upgrades == revisions


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_a_lock_held_too_long_exits_with_the_lock_timeout_code_naming_the_holder(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    holder = migration_lock(make_engine(database.url))
    holder.acquire(timeout=0)
    try:
        session_id = holder.connection.execute(
            sa.text("SELECT pg_backend_pid()" if backend == "postgresql" else "SELECT CONNECTION_ID()")
        ).scalar()
        result = migrate_entrypoint(process_env(database.url, MIGRATION_LOCK_TIMEOUT_SECONDS=1), tmp_path)
    finally:
        holder.release()
        holder.engine.dispose()
    assert result.returncode == ExitCode.LOCK_TIMEOUT == 4, result.describe()
    waits = result.events("migration_lock_wait")
    assert waits and str(session_id) in waits[0]["message"], "the wait names who holds the lock"
    error = result.events("migration_error")[0]
    assert "migration lock" in error["message"] and str(session_id) in error["message"]
    assert "alembic_version" not in table_names(database.engine), "nothing ran without the lock"


FAILING_HALFWAY = """
    op.create_table("halfway_probe", sa.Column("id", sa.Integer(), primary_key=True))
    op.execute("UPDATE no_such_table SET nothing = 1")
"""


def test_a_revision_failing_halfway_on_postgresql_rolls_back_and_can_be_retried(fresh_database, scripts, tmp_path):
    database = fresh_database("postgresql")
    head = code_head()
    scripts.add_revision("f41l5", head, FAILING_HALFWAY, 'op.drop_table("halfway_probe")', message="fails halfway")
    env = process_env(database.url, CHORES_TRACKER_ALEMBIC_INI=scripts.ini)

    result = migrate_entrypoint(env, tmp_path)

    assert result.returncode == ExitCode.MIGRATION_FAILED == 5, result.describe()
    error = result.events("migration_error")[0]
    assert "f41l5" in error["message"] and "fails_halfway" in error["message"] and "no_such_table" in error["message"]
    assert version_rows(database.engine) == [head], "left at the previous revision"
    assert "halfway_probe" not in table_names(database.engine), "the failed step was rolled back"
    failed = [row for row in history_rows(database.engine) if row.revision == "f41l5"]
    assert [(row.status, "no_such_table" in row.error) for row in failed] == [("failed", True)]

    again = migrate_entrypoint(env, tmp_path)
    assert again.returncode == ExitCode.MIGRATION_FAILED, "nothing half-applied: a retry runs (and fails) again"


@pytest.mark.parametrize("backend", ["mysql", "sqlite"])
def test_a_revision_failing_halfway_without_transactional_ddl_blocks_the_next_run(
    backend, fresh_database, scripts, tmp_path
):
    database = fresh_database(backend)
    head = code_head()
    scripts.add_revision("f41l5", head, FAILING_HALFWAY, 'op.drop_table("halfway_probe")', message="fails halfway")
    env = process_env(database.url, CHORES_TRACKER_ALEMBIC_INI=scripts.ini)

    failed = migrate_entrypoint(env, tmp_path)

    assert failed.returncode == ExitCode.MIGRATION_FAILED, failed.describe()
    assert "f41l5" in failed.events("migration_error")[0]["message"]
    assert version_rows(database.engine) == [head]
    assert "halfway_probe" in table_names(database.engine), "DDL is not transactional: the first statement stayed"

    refused = migrate_entrypoint(env, tmp_path)

    assert refused.returncode == ExitCode.HALF_APPLIED == 6, refused.describe()
    message = refused.events("migration_error")[0]["message"]
    assert "f41l5" in message and "half-applied" in message
    assert f"chores-tracker db stamp {head} --yes" in message and "chores-tracker db stamp f41l5 --yes" in message
    assert "halfway_probe" in table_names(database.engine), "the refusal changed nothing"
    status = cli("status", env=env, cwd=tmp_path)
    assert status.returncode == ExitCode.HALF_APPLIED, status.describe()

    # Follow the recovery steps: undo what ran, state the true revision, run again.
    with database.engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE halfway_probe"))
    assert cli("stamp", head, env=env, cwd=tmp_path).returncode == ExitCode.USAGE, "a stamp needs --yes"
    stamped = cli("stamp", head, "--yes", env=env, cwd=tmp_path)
    assert stamped.returncode == 0, stamped.describe()
    retried = migrate_entrypoint(env, tmp_path)
    assert retried.returncode == ExitCode.MIGRATION_FAILED, "no longer refused; the revision itself still fails"


@pytest.mark.parametrize("backend", SERVER_BACKENDS)
def test_a_long_transaction_makes_the_step_fail_within_the_ddl_lock_timeout(backend, fresh_database, scripts, tmp_path):
    from chores_tracker.migrations import runner

    database = fresh_database(backend)
    runner.upgrade(database.url, "head")
    head = code_head()
    scripts.add_revision(
        "n1ckn4me",
        head,
        'op.add_column("users", sa.Column("nickname", sa.String(40), nullable=True))',
        'op.drop_column("users", "nickname")',
        message="add nickname",
    )
    env = process_env(database.url, CHORES_TRACKER_ALEMBIC_INI=scripts.ini, MIGRATION_DDL_LOCK_TIMEOUT_SECONDS=1)
    blocker = database.engine.connect()
    try:
        blocker.execute(sa.text("SELECT count(*) FROM users"))  # an open transaction that has read the table
        result = migrate_entrypoint(env, tmp_path, timeout=60)
    finally:
        blocker.rollback()
        blocker.close()

    assert result.returncode == ExitCode.MIGRATION_FAILED, result.describe()
    message = result.events("migration_error")[0]["message"]
    assert "n1ckn4me" in message and "lock" in message.lower()
    assert result.seconds < 30, "it failed on the DDL lock timeout instead of waiting for the transaction"
    assert version_rows(database.engine) == [head]

    after = migrate_entrypoint(env, tmp_path)
    assert after.returncode == 0, "nothing was half-applied: once the transaction ended the step went through"
    assert version_rows(database.engine) == ["n1ckn4me"]


def test_an_edited_applied_revision_is_reported_by_status(fresh_database, scripts, tmp_path):
    database = fresh_database("postgresql")
    scripts.add_revision("3d1t3d", code_head(), "op.execute('SELECT 1')", message="later edited")
    env = process_env(database.url, CHORES_TRACKER_ALEMBIC_INI=scripts.ini)
    assert migrate_entrypoint(env, tmp_path).returncode == 0

    clean = cli("status", env=env, cwd=tmp_path)
    assert clean.returncode == 0 and not clean.events("edited_revision"), clean.describe()

    path = next(scripts.versions.glob("*_3d1t3d_*.py"))
    path.write_text(path.read_text().replace("SELECT 1", "SELECT 2"))
    edited = cli("status", env=env, cwd=tmp_path)

    warnings = edited.events("edited_revision")
    assert [(warning["revision"], warning["file"]) for warning in warnings] == [("3d1t3d", path.name)]
    assert "never edit an applied migration" in warnings[0]["message"]
    assert "edited since applied: 3d1t3d" in edited.stdout


def test_the_job_of_an_older_release_leaves_a_newer_schema_alone(fresh_database, scripts, tmp_path):
    """A rollback re-runs the previous release's Job against a database already migrated further."""
    database = fresh_database("postgresql")
    scripts.add_revision(
        "n3w3r",
        code_head(),
        "op.create_table('newer', sa.Column('id', sa.Integer(), primary_key=True))",
        "op.drop_table('newer')",
        message="newer release",
    )
    assert (
        migrate_entrypoint(process_env(database.url, CHORES_TRACKER_ALEMBIC_INI=scripts.ini), tmp_path).returncode == 0
    )

    older = migrate_entrypoint(process_env(database.url), tmp_path)

    assert older.returncode == 0, older.describe()
    assert (older.summary["from"], older.summary["to"], older.summary["applied"]) == ("n3w3r", "n3w3r", 0)
    assert version_rows(database.engine) == ["n3w3r"] and "newer" in table_names(database.engine)


def test_at_head_the_job_still_takes_the_lock_and_refuses_a_half_applied_revision(fresh_database, scripts, tmp_path):
    """The Job skips Alembic when the database is at head, not the upgrade's checks under the lock."""
    database = fresh_database("mysql")
    head = code_head()
    failing = scripts.add_revision("f41l5", head, FAILING_HALFWAY, 'op.drop_table("halfway_probe")', message="halfway")
    env = process_env(database.url, CHORES_TRACKER_ALEMBIC_INI=scripts.ini)
    assert migrate_entrypoint(env, tmp_path).returncode == ExitCode.MIGRATION_FAILED
    # This code never had the failed revision: the database is at its head, with a step left open.
    failing.unlink()

    refused = migrate_entrypoint(env, tmp_path)

    assert refused.returncode == ExitCode.HALF_APPLIED, refused.describe()
    assert refused.events("migration_plan")[0]["state"] == "at_head"
    assert refused.events("migration_current")[0]["current"] == [head], "read again under the lock"
    assert "f41l5" in refused.events("migration_error")[0]["message"]
    assert (refused.summary["outcome"], refused.summary["from"]) == ("failed", head)
