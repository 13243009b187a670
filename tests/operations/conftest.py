"""Apps with operating settings of the test's choosing (limits, tokens, log format, origins)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.support.databases import TestDatabase, clear_all_tables


@pytest.fixture(scope="session")
def sqlite_database(database_factory) -> TestDatabase:
    """For behaviour of the HTTP layer, which does not depend on the database behind it."""
    return database_factory("sqlite")


def _app_maker(database: TestDatabase, build_app: Callable[..., FastAPI]) -> Callable[..., FastAPI]:
    clear_all_tables(database.engine)
    return lambda **settings: build_app(database, **settings)


@pytest.fixture
def make_app(database: TestDatabase, build_app) -> Callable[..., FastAPI]:
    """create_app(settings + overrides) on each backend in turn."""
    return _app_maker(database, build_app)


@pytest.fixture
def make_sqlite_app(sqlite_database: TestDatabase, build_app) -> Callable[..., FastAPI]:
    return _app_maker(sqlite_database, build_app)


def client_from(app: FastAPI, address: str = "127.0.0.1", **kwargs: object) -> TestClient:
    """A test client whose requests come from the given peer address."""
    return TestClient(app, client=(address, 50000), **kwargs)
