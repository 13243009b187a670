"""Fixtures for the migration tests: fresh, unmigrated databases on each backend, dropped afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.migrations.helpers import Scripts, copy_scripts
from tests.support.databases import BackendUnavailable, TestDatabase, empty_database, not_tested


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[Callable[[str], TestDatabase]]:
    """fresh_database("postgresql") -> a new empty database on that server (SQLite: a new file)."""
    created: list[TestDatabase] = []

    def make(backend: str) -> TestDatabase:
        try:
            database = empty_database(backend, tmp_path)
        except BackendUnavailable as exc:
            not_tested(backend, exc)
        created.append(database)
        return database

    yield make
    for database in created:
        database.drop()


@pytest.fixture
def scripts(tmp_path: Path) -> Scripts:
    """A copy of the real migration scripts in a temporary directory, for tests that add revisions."""
    return copy_scripts(tmp_path / "scripts")
