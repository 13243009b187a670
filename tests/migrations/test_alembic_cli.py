"""`python -m alembic -c backend/alembic.ini ...` works for every command the guide uses, and takes the lock."""

from __future__ import annotations

import re
import sys

import pytest

from chores_tracker.db.engine import make_engine
from chores_tracker.migrations.lock import migration_lock
from tests.migrations.helpers import BACKEND, code_head, process_env, run, table_names, version_rows
from tests.support.databases import BACKENDS


def alembic(*args: str, env, cwd, ini=BACKEND / "alembic.ini"):
    return run([sys.executable, "-m", "alembic", "-c", str(ini), *args], env, cwd)


def test_the_guides_alembic_commands_work(fresh_database, scripts, tmp_path):
    database = fresh_database("sqlite")
    env = process_env(database.url, LOG_FORMAT="text")
    head = code_head()

    assert alembic("upgrade", "head", env=env, cwd=tmp_path).returncode == 0
    assert version_rows(database.engine) == [head]
    current = alembic("current", env=env, cwd=tmp_path)
    assert current.returncode == 0 and f"{head} (head)" in current.stdout
    heads = alembic("heads", env=env, cwd=tmp_path)
    assert heads.stdout.strip() == f"{head} (head)"
    assert alembic("history", env=env, cwd=tmp_path).returncode == 0
    assert alembic("downgrade", "-1", env=env, cwd=tmp_path).returncode == 0
    assert version_rows(database.engine) != [head]
    assert alembic("stamp", "head", env=env, cwd=tmp_path).returncode == 0
    assert version_rows(database.engine) == [head]

    created = alembic(
        "revision", "--autogenerate", "-m", "description_of_changes", env=env, cwd=tmp_path, ini=scripts.ini
    )
    assert created.returncode == 0, created.describe()
    new = [path for path in scripts.versions.glob("*.py") if "description_of_changes" in path.name]
    assert len(new) == 1 and re.match(r"^\d{4}-\d{2}-\d{2}_[0-9a-f]+_description_of_changes\.py$", new[0].name)
    text = new[0].read_text()
    assert "CONTRACT = False" in text and "schema_history" not in text, "the runner's table is not a model"


def test_plain_alembic_upgrade_waits_for_the_migration_lock(fresh_database, tmp_path):
    database = fresh_database("postgresql")
    holder = migration_lock(make_engine(database.url))
    holder.acquire(timeout=0)
    try:
        blocked = alembic(
            "upgrade", "head", env=process_env(database.url, MIGRATION_LOCK_TIMEOUT_SECONDS=1), cwd=tmp_path
        )
    finally:
        holder.release()
        holder.engine.dispose()
    assert blocked.returncode != 0
    assert "gave up waiting for the migration lock" in blocked.stderr
    assert "alembic_version" not in table_names(database.engine)


@pytest.mark.parametrize("backend", BACKENDS)
def test_plain_alembic_needs_only_the_database_url_even_in_production(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    env = process_env(database.url, ENVIRONMENT="production", SECRET_KEY="")
    upgraded = alembic("upgrade", "head", env=env, cwd=tmp_path)
    assert upgraded.returncode == 0, upgraded.describe()
    assert version_rows(database.engine) == [code_head()]
