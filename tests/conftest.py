"""Test databases: SQLite always; PostgreSQL and MariaDB/MySQL when their server URLs are given.

TEST_POSTGRES_URL  e.g. postgresql://postgres@127.0.0.1:5432/postgres
TEST_MYSQL_URL     e.g. mysql://root@127.0.0.1:3306/test
Each session creates fresh databases on those servers and drops them at the end.
A server that is not configured or not reachable skips its tests with a reason in the summary;
with TEST_REQUIRE_ALL_BACKENDS=1 (as CI sets it) that is an error instead.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

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


@pytest.fixture(params=["postgresql", "mysql"])
def server_app(request: pytest.FixtureRequest, database_factory):
    """The app on each database server in turn, emptied first, with a pool for a few threads at once
    (the concurrency tests: writers, time-step runners and workers racing each other)."""
    from chores_tracker.app import create_app

    database = database_factory(request.param)
    clear_all_tables(database.engine)
    application = create_app(database.settings(db_pool_size=8, db_max_overflow=8))
    yield application
    application.state.engine.dispose()


class AppBuilder:
    """Apps as `create_app(database.settings(**overrides))` makes them, each built once per test process
    (building the routes costs more than most tests do) and given new state (`install_state`) whenever
    a test asks for it again. Within one test, asking twice for the same settings gives two apps, as
    two processes would be. An app a test added routes to is not given again."""

    def __init__(self) -> None:
        self._built: dict[tuple[str, str], FastAPI] = {}
        self._routes: dict[int, list[object]] = {}
        self._given: set[int] = set()
        self._spare: list[FastAPI] = []

    def __call__(self, database: TestDatabase, **overrides: object) -> FastAPI:
        from chores_tracker.app import create_app, install_state

        settings = database.settings(**overrides)
        key = (database.url_string, repr(sorted(overrides.items())))
        application = self._built.get(key)
        if application is not None and application.router.routes != self._routes[id(application)]:
            application.state.engine.dispose()
            application = None
        if application is None:
            application = self._built[key] = create_app(settings)
            self._routes[id(application)] = list(application.router.routes)
        elif id(application) in self._given:
            application = create_app(settings)
            self._spare.append(application)
        else:
            install_state(application, settings, application.state.engine)
        self._given.add(id(application))
        return application

    def end_of_test(self) -> None:
        for application in [*self._built.values(), *self._spare]:
            if id(application) in self._given:
                application.state.engine.dispose()
        self._given.clear()
        self._spare.clear()


@pytest.fixture(scope="session")
def _app_builder() -> Iterator[AppBuilder]:
    builder = AppBuilder()
    yield builder
    builder.end_of_test()


@pytest.fixture
def build_app(_app_builder: AppBuilder) -> Iterator[AppBuilder]:
    """build_app(database, **setting_overrides) -> an app as a fresh one starts (tables not emptied)."""
    yield _app_builder
    _app_builder.end_of_test()


@pytest.fixture
def app(database: TestDatabase, build_app: AppBuilder) -> FastAPI:
    """The app on an emptied database, as a fresh app starts."""
    clear_all_tables(database.engine)
    return build_app(database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def api(client: TestClient):
    from tests.support.api import Api

    return Api(client)
