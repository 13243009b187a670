"""docker-entrypoint.sh: waits for the database, migrates only when asked, raises the open-files limit, execs."""

from __future__ import annotations

import resource
import shutil
import subprocess
import sys
from pathlib import Path

from chores_tracker.db.engine import make_engine
from chores_tracker.migrations.exit_codes import ExitCode
from chores_tracker.migrations.lock import migration_lock
from tests.migrations.helpers import (
    DOCKER_ENTRYPOINT,
    MIGRATE_ENTRYPOINT,
    code_head,
    free_port,
    json_lines,
    process_env,
    table_names,
)


def entrypoint(*command: str, env, cwd, soft_open_files: int | None = None):
    def lower_limit() -> None:
        if soft_open_files is not None:
            _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (soft_open_files, hard))

    return subprocess.run(
        ["sh", str(DOCKER_ENTRYPOINT), *command],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=lower_limit,
    )


def test_both_entrypoints_are_posix_sh_that_shellcheck_accepts():
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    result = subprocess.run(
        [shellcheck, "--shell=sh", str(MIGRATE_ENTRYPOINT), str(DOCKER_ENTRYPOINT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_waits_for_the_database_then_execs_the_command_without_migrating(fresh_database, tmp_path):
    database = fresh_database("postgresql")
    result = entrypoint("sh", "-c", 'echo "running as the command: $$"', env=process_env(database.url), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "running as the command" in result.stdout
    assert "database_ready" in result.stderr
    assert "alembic_version" not in table_names(database.engine), "the app container never migrates by default"


def test_run_migrations_true_migrates_under_the_same_lock_before_starting(fresh_database, tmp_path):
    database = fresh_database("postgresql")
    env = process_env(database.url, RUN_MIGRATIONS="true", MIGRATION_LOCK_TIMEOUT_SECONDS=1)
    holder = migration_lock(make_engine(database.url))
    holder.acquire(timeout=0)
    try:
        blocked = entrypoint("echo", "started", env=env, cwd=tmp_path)
    finally:
        holder.release()
        holder.engine.dispose()
    assert blocked.returncode == ExitCode.LOCK_TIMEOUT, blocked.stderr
    assert "started" not in blocked.stdout, "a failed migration stops the start"

    migrated = entrypoint("echo", "started", env=env, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr
    assert migrated.stdout.strip() == "started"
    assert f'"to": "{code_head()}"' in migrated.stderr


def test_it_raises_the_open_files_limit_where_the_hard_limit_allows(fresh_database, tmp_path):
    database = fresh_database("sqlite")
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    expected = hard if hard != resource.RLIM_INFINITY and hard < 65536 else 65536
    result = entrypoint("sh", "-c", "ulimit -n", env=process_env(database.url), cwd=tmp_path, soft_open_files=256)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) == expected > 256
    assert "open files limit raised from 256" in result.stderr
    # The script's own JSON lines read like the app's and the runner's: the same fields and level names.
    lines = json_lines(result.stderr)
    own = [line for line in lines if line["logger"] == "docker-entrypoint"]
    assert own and {"time", "level", "logger", "message"} == own[0].keys()
    assert {line["level"] for line in lines} <= {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}


def test_it_starts_without_the_database_after_the_bounded_wait(tmp_path):
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    result = entrypoint("echo", "started", env=process_env(url, DB_WAIT_TIMEOUT_SECONDS=0), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
    assert "readiness stays 503 until it answers" in result.stderr


def test_with_database_url_unset_it_migrates_the_sqlite_database_in_data_dir_before_starting(tmp_path):
    """`docker run IMAGE` alone: the embedded SQLite database has no Job to migrate it."""
    data_dir = tmp_path / "data"
    result = entrypoint("echo", "started", env=process_env(None, DATA_DIR=data_dir), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
    assert "DATABASE_URL unset: migrating the SQLite database" in result.stderr
    engine = make_engine(f"sqlite:///{data_dir / 'chores-tracker.db'}")
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one() == code_head()
    finally:
        engine.dispose()


def test_run_migrations_false_keeps_it_from_migrating_even_the_default_sqlite_database(tmp_path):
    data_dir = tmp_path / "data"
    result = entrypoint(
        "echo", "started", env=process_env(None, DATA_DIR=data_dir, RUN_MIGRATIONS="false"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "started"
    engine = make_engine(f"sqlite:///{data_dir / 'chores-tracker.db'}")
    try:
        assert "alembic_version" not in table_names(engine)
    finally:
        engine.dispose()
