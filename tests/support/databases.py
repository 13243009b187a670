"""Create, migrate and drop real test databases on each backend."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url

from chores_tracker.db.engine import make_engine
from chores_tracker.db.urls import normalize_database_url
from chores_tracker.settings import Settings

BACKENDS = ("sqlite", "postgresql", "mysql")
SERVER_URL_VARIABLES = {"postgresql": "TEST_POSTGRES_URL", "mysql": "TEST_MYSQL_URL"}


NOT_TESTED_MARK = "NOT TESTED:"


class BackendUnavailable(Exception):
    pass


def not_tested(service: str, reason: object) -> NoReturn:
    """Skip, loudly, a test whose server is missing; with TEST_REQUIRE_ALL_BACKENDS=1 (CI) fail instead."""
    if os.environ.get("TEST_REQUIRE_ALL_BACKENDS") == "1":
        pytest.fail(f"{service} is required (TEST_REQUIRE_ALL_BACKENDS=1) but {reason}", pytrace=False)
    pytest.skip(f"{service.upper()} {NOT_TESTED_MARK} {reason}")


def skip_location_and_reason(report: pytest.TestReport) -> tuple[str, str]:
    """Where a skipped test is and why it was skipped, from its report (also under pytest-xdist)."""
    longrepr = report.longrepr
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        path, line, reason = longrepr
        return f"{path}:{line}", str(reason).removeprefix("Skipped: ")
    return report.nodeid, str(longrepr)


@dataclass
class TestDatabase:
    __test__ = False

    backend: str
    url: URL
    server_url: URL | None = None
    _engine: sa.Engine | None = field(default=None, repr=False)

    @property
    def url_string(self) -> str:
        return self.url.render_as_string(hide_password=False)

    @property
    def engine(self) -> sa.Engine:
        if self._engine is None:
            self._engine = make_engine(self.url)
        return self._engine

    def settings(self, **overrides: object) -> Settings:
        values = {
            "environment": "test",
            "database_url": self.url_string,
            "secret_key": "test-secret-key-that-is-long-enough-0123456789",
            "readiness_cache_seconds": 0,
            # Every test client comes from one address; tests of the limits set their own.
            "rate_limit_login_per_minute": 10_000,
            "rate_limit_signup_per_hour": 10_000,
            "rate_limit_password_reset_per_hour": 10_000,
            "rate_limit_join_per_hour": 10_000,
            # Web Push on, as a server set up for it (a test key; tests/notifications/test_web_push.py).
            "vapid_private_key": TEST_VAPID_KEY,
        }
        values.update(overrides)
        return Settings(_env_file=None, **values)  # type: ignore[arg-type]

    def drop(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
        if self.server_url is not None:
            drop_server_database(self.server_url, self.url.database or "")


TEST_VAPID_KEY = "immZrQLadicA-XWBVLeNzWz02Bq1KLmAHOlVFW070SQ"


def server_url_for(backend: str) -> URL | None:
    raw = os.environ.get(SERVER_URL_VARIABLES[backend])
    return normalize_database_url(raw) if raw else None


def _admin_engine(server_url: URL) -> sa.Engine:
    return sa.create_engine(server_url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})


def create_server_database(server_url: URL, prefix: str = "ct_test") -> URL:
    """A new, empty database on the server; returns its URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine(server_url)
    try:
        with engine.connect() as connection:
            if server_url.get_backend_name() == "mysql":
                connection.execute(
                    sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci")
                )
            else:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return server_url.set(database=name)


def drop_server_database(server_url: URL, name: str) -> None:
    engine = _admin_engine(server_url)
    try:
        with engine.connect() as connection:
            if server_url.get_backend_name() == "mysql":
                connection.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
            else:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def empty_database(backend: str, tmp_dir: Path) -> TestDatabase:
    """A fresh, unmigrated database on the backend (raises BackendUnavailable with the reason)."""
    if backend == "sqlite":
        return TestDatabase("sqlite", make_url(f"sqlite:///{tmp_dir / f'test-{uuid.uuid4().hex[:8]}.db'}"))
    server_url = server_url_for(backend)
    if server_url is None:
        raise BackendUnavailable(f"{SERVER_URL_VARIABLES[backend]} is not set")
    try:
        url = create_server_database(server_url)
    except sa.exc.OperationalError as exc:
        raise BackendUnavailable(
            f"cannot reach {server_url.render_as_string(hide_password=True)}: {exc.orig}"
        ) from None
    return TestDatabase(backend, url, server_url)


def provision(backend: str, tmp_dir: Path) -> TestDatabase:
    """A fresh database migrated to head by the same runner the migration job uses."""
    from chores_tracker.migrations import runner

    db = empty_database(backend, tmp_dir)
    runner.upgrade(db.url, "head")
    return db


def clear_all_tables(engine: sa.Engine) -> None:
    from chores_tracker.db.models import Base

    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as connection:
        backend = connection.dialect.name
        if backend == "postgresql":
            connection.execute(sa.text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
            return
        if backend == "mysql":
            connection.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in reversed(tables):
            connection.execute(sa.text(f"DELETE FROM {table}"))  # noqa: S608 (names from the models' metadata)
        if backend == "mysql":
            connection.execute(sa.text("SET FOREIGN_KEY_CHECKS=1"))
