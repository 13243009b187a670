"""Readiness follows the schema: ready at or ahead of the code's head, 503 with a reason otherwise.

The app runs as a real process (`chores-tracker serve`) where the issue is a rollout's timing:
a database one revision ahead, a migration finishing while the app waits.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chores_tracker.migrations import runner
from chores_tracker.migrations.revisions import load_code_revisions
from tests.migrations.helpers import Background, code_head, free_port, migrate_entrypoint, poll_until, process_env
from tests.support.tcp_proxy import TcpProxy

READY = "/api/v1/health/ready"


def get(url: str) -> httpx.Response | None:
    try:
        return httpx.get(url, timeout=5)
    except httpx.TransportError:
        return None


@contextmanager
def serving(database_url: sa.URL, cwd: Path) -> Iterator[tuple[str, Background]]:
    port = free_port()
    env = process_env(database_url, READINESS_CACHE_SECONDS=0)
    server = Background(
        [sys.executable, "-m", "chores_tracker", "serve", "--port", str(port), "--workers", "1"],
        env,
        cwd,
        f"server-{port}",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        poll_until(
            lambda: server.process.poll() is not None or get(base + "/health"), 30, "the server to answer /health"
        )
        assert server.process.poll() is None, server.stderr
        # Liveness answers before the app is built; readiness says `starting` until it is.
        poll_until(
            lambda: (
                server.process.poll() is not None
                or ((r := get(base + READY)) is not None and r.json().get("reason") != "starting")
            ),
            30,
            "the app to be built",
        )
        assert server.process.poll() is None, server.stderr
        yield base, server
    finally:
        server.stop()


def previous_revision(revision: str) -> str | None:
    parents = load_code_revisions().parents[revision]
    return parents[0] if parents else None


def test_ready_when_the_database_is_one_revision_ahead_of_the_code(fresh_database, scripts, tmp_path):
    database = fresh_database("postgresql")
    head = code_head()
    scripts.add_revision(
        "4h34d",
        head,
        "op.create_table('ahead', sa.Column('id', sa.Integer(), primary_key=True))",
        "op.drop_table('ahead')",
        message="next release",
    )
    runner.upgrade(database.url, "head", ini_path=scripts.ini)

    with serving(database.url, tmp_path) as (base, _server):
        response = get(base + READY)

    assert response is not None and response.status_code == 200, response and response.text
    assert response.json() == {"status": "ready", "schema": "ahead", "current": "4h34d", "expected": head}


@pytest.mark.parametrize("backend", ["postgresql", "mysql"])
def test_not_ready_while_behind_then_ready_once_migrated_without_a_restart(backend, fresh_database, tmp_path):
    database = fresh_database(backend)
    head = code_head()
    behind = previous_revision(head)
    if behind is not None:
        runner.upgrade(database.url, behind)

    with serving(database.url, tmp_path) as (base, server):
        before = get(base + READY)
        assert before is not None and before.status_code == 503, before and before.text
        assert before.json() == {"status": "not_ready", "reason": "schema_behind", "current": behind, "expected": head}
        assert get(base + "/health").status_code == 200, "liveness does not depend on the schema"

        migrated = migrate_entrypoint(process_env(database.url), tmp_path)
        assert migrated.returncode == 0, migrated.describe()

        after = poll_until(
            lambda: (r := get(base + READY)) is not None and r.status_code == 200 and r,
            10,
            "readiness to turn 200 after the migration",
        )
        assert after.json()["current"] == head
        assert server.process.poll() is None, "the same process, never restarted"


def test_liveness_answers_without_the_database_and_readiness_says_unreachable(fresh_database, tmp_path):
    database = fresh_database("postgresql")
    runner.upgrade(database.url, "head")
    secret = "pw-readiness-secret"
    with TcpProxy(database.url.host, database.url.port or 5432) as proxy:
        proxy.cut()
        with serving(proxy.url_for(database.url).set(password=secret), tmp_path) as (base, server):
            started = time.monotonic()
            live = get(base + "/health")
            assert live is not None and live.status_code == 200 and time.monotonic() - started < 1
            down = get(base + READY)
            assert down is not None and down.status_code == 503
            assert down.json() == {"status": "not_ready", "reason": "database_unreachable"}

            proxy.restore()
            up = poll_until(
                lambda: (r := get(base + READY)) is not None and r.status_code == 200 and r,
                15,
                "readiness once the database is back",
            )
            assert up.json()["schema"] == "at_head"
        assert secret not in server.stderr_path.read_text() + server.stdout_path.read_text()


# -- in process: the remaining answers -----------------------------------------------------------


@pytest.fixture
def sqlite_database(fresh_database):
    return fresh_database("sqlite")


def readiness_of(database, **settings):
    from chores_tracker.app import create_app

    app = create_app(database.settings(**settings))
    try:
        with TestClient(app) as client:
            response = client.get(READY)
            return response.status_code, response.json()
    finally:
        app.state.engine.dispose()


def test_an_empty_database_is_behind(sqlite_database):
    assert readiness_of(sqlite_database) == (
        503,
        {"status": "not_ready", "reason": "schema_behind", "current": None, "expected": code_head()},
    )


def test_a_revision_the_code_cannot_place_is_unknown(sqlite_database):
    runner.upgrade(sqlite_database.url, "head")
    with sqlite_database.engine.begin() as connection:
        connection.execute(sa.text("UPDATE alembic_version SET version_num = 'f0r31gn'"))
    assert readiness_of(sqlite_database) == (
        503,
        {"status": "not_ready", "reason": "schema_unknown", "current": "f0r31gn", "expected": code_head()},
    )


def test_the_answer_is_cached_for_readiness_cache_seconds(sqlite_database):
    from chores_tracker.app import create_app

    app = create_app(sqlite_database.settings(readiness_cache_seconds=60))
    try:
        with TestClient(app) as client:
            assert client.get(READY).status_code == 503
            runner.upgrade(sqlite_database.url, "head")
            assert client.get(READY).status_code == 503, "served from the cache"
            app.state.readiness_probe.cache_seconds = 0
            assert client.get(READY).status_code == 200
    finally:
        app.state.engine.dispose()
