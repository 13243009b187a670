"""Every revision upgrades and downgrades cleanly, over data, on every database we support."""

from __future__ import annotations

import pytest

from chores_tracker.migrations import runner
from chores_tracker.migrations.history import RUNNER_TABLES
from chores_tracker.migrations.revisions import load_code_revisions
from tests.migrations.helpers import code_head, table_names, version_rows
from tests.migrations.rows import fill_empty_tables


@pytest.mark.parametrize("backend", ["sqlite", "postgresql", "mysql"])
def test_base_to_head_to_base_to_head_one_revision_at_a_time_with_rows_present(backend, fresh_database):
    database = fresh_database(backend)
    url = database.url
    code = load_code_revisions()
    revisions = code.in_order(set(code.parents))

    def upgrade_step_by_step() -> None:
        for revision in revisions:
            runner.upgrade(url, revision)
            assert version_rows(database.engine) == [revision]
            counts = fill_empty_tables(database.engine)
            assert all(count >= 1 for count in counts.values())

    upgrade_step_by_step()
    assert set(table_names(database.engine)) - RUNNER_TABLES, "head has application tables"

    for revision in reversed(revisions):
        assert version_rows(database.engine) == [revision]
        runner.downgrade(url, "-1")
    assert version_rows(database.engine) == []
    assert table_names(database.engine) - RUNNER_TABLES == set(), "base has no application tables left"

    upgrade_step_by_step()
    assert version_rows(database.engine) == [code_head()]
    assert runner.drift(url) == [], "after the round trip the schema still matches the models"
