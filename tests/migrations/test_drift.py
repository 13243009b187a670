"""Models and migrations describe the same schema, on every database; and drift is reported."""

from __future__ import annotations

import sqlalchemy as sa

from chores_tracker.migrations import runner
from chores_tracker.migrations.exit_codes import ExitCode
from tests.migrations.helpers import cli, process_env


def test_the_migrated_schema_matches_the_models(database):
    differences = runner.drift(database.url)
    assert differences == [], "models and revisions drift:\n" + "\n".join(map(runner.describe_difference, differences))


def test_a_change_made_by_hand_is_reported_as_drift(fresh_database, tmp_path):
    database = fresh_database("sqlite")
    runner.upgrade(database.url, "head")
    assert runner.drift(database.url) == []
    with database.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE families ADD COLUMN stray INTEGER"))

    described = [runner.describe_difference(item) for item in runner.drift(database.url)]
    assert described == ["remove_column: families column stray INTEGER"]

    check = cli("check", env=process_env(database.url), cwd=tmp_path)
    assert check.returncode == ExitCode.DRIFT == 8, check.describe()
    assert "stray" in check.stdout
