"""Test databases: SQLite always; PostgreSQL and MariaDB/MySQL when their server URLs are given.

TEST_POSTGRES_URL  e.g. postgresql://postgres@127.0.0.1:5432/postgres
TEST_MYSQL_URL     e.g. mysql://root@127.0.0.1:3306/test
Each session creates fresh databases on those servers and drops them at the end.
A server that is not configured or not reachable skips its tests with a reason in the summary;
with TEST_REQUIRE_ALL_BACKENDS=1 (as CI sets it) that is an error instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.databases import (
    BACKENDS,
    NOT_TESTED_MARK,
    BackendUnavailable,
    TestDatabase,
    clear_all_tables,
    not_tested,
    provision,
    skip_location_and_reason,
)

os.environ.setdefault("ENVIRONMENT", "test")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One line per server that was not tested (not one per test), then every other skip in full."""
    not_tested_counts: dict[str, int] = {}
    other_skips: list[str] = []
    for report in terminalreporter.stats.get("skipped", []):
        location, reason = skip_location_and_reason(report)
        if NOT_TESTED_MARK in reason:
            not_tested_counts[reason] = not_tested_counts.get(reason, 0) + 1
        else:
            other_skips.append(f"SKIPPED {location}: {reason}")
    if not not_tested_counts and not other_skips:
        return
    terminalreporter.section("not tested")
    for reason, count in sorted(not_tested_counts.items()):
        terminalreporter.write_line(f"{reason} ({count} tests skipped)", yellow=True, bold=True)
    for line in other_skips:
        terminalreporter.write_line(line, yellow=True)


@pytest.fixture(scope="session")
def _databases(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    created: dict[str, TestDatabase | str] = {}
    yield created
    for db in created.values():
        if isinstance(db, TestDatabase):
            db.drop()


def _database_for(backend: str, databases: dict, tmp_path_factory: pytest.TempPathFactory) -> TestDatabase:
    if backend not in databases:
        try:
            databases[backend] = provision(backend, tmp_path_factory.mktemp(f"db-{backend}"))
        except BackendUnavailable as exc:
            databases[backend] = str(exc)
    found = databases[backend]
    if isinstance(found, str):
        not_tested(backend, found)
    return found


@pytest.fixture(scope="session", params=BACKENDS)
def database(
    request: pytest.FixtureRequest, _databases: dict, tmp_path_factory: pytest.TempPathFactory
) -> TestDatabase:
    """A migrated database on each backend in turn (tests using it run once per backend)."""
    return _database_for(request.param, _databases, tmp_path_factory)


@pytest.fixture(scope="session")
def database_factory(_databases: dict, tmp_path_factory: pytest.TempPathFactory):
    """For tests that pick their backend themselves (e.g. PostgreSQL-only concurrency tests)."""
    return lambda backend: _database_for(backend, _databases, tmp_path_factory)


@pytest.fixture(scope="session")
def fresh_app() -> Iterator[Callable[[TestDatabase], FastAPI]]:
    """Gives the app on an emptied database, as a fresh app starts. Its routes are built once per
    backend in each test process (that costs more than most tests do); its state is made new each time."""
    from chores_tracker.app import create_app, install_state

    built: dict[str, FastAPI] = {}

    def make(database: TestDatabase) -> FastAPI:
        clear_all_tables(database.engine)
        settings = database.settings()
        application = built.get(database.backend)
        if application is None:
            application = built[database.backend] = create_app(settings)
        else:
            install_state(application, settings, application.state.engine)
        return application

    yield make
    for application in built.values():
        application.state.engine.dispose()


@pytest.fixture
def app(database: TestDatabase, fresh_app: Callable[[TestDatabase], FastAPI]) -> Iterator[FastAPI]:
    application = fresh_app(database)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient):
    from tests.support.api import Api

    return Api(client)
