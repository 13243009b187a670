"""A database that stops answering ends the request with 503 within a known bound, and frees its connection.

DB_STATEMENT_TIMEOUT_SECONDS: the database cancels a statement that runs longer.
DB_NETWORK_TIMEOUT_SECONDS: how long the app waits to connect, and beyond the statement timeout for
an answer. A request on a connection whose database went silent ends within twice their sum: once
on the pooled connection, once on the new connection tried in its place. The migration runner has
no such limits: its statements may rightly run long.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from chores_tracker.app import create_app
from chores_tracker.migrations import runner
from tests.operations.locking import TableLock
from tests.operations.serving import Server
from tests.support.api import Api
from tests.support.databases import TestDatabase
from tests.support.tcp_proxy import TcpProxy

STATEMENT_SECONDS = 1
NETWORK_SECONDS = 2
BOUND_SECONDS = 2 * (STATEMENT_SECONDS + NETWORK_SECONDS)
# A loaded test machine answers late; a request left hanging never answers at all.
MARGIN_SECONDS = 4


@pytest.fixture(params=["postgresql", "mysql"])
def server_database(request, database_factory) -> TestDatabase:
    return database_factory(request.param)


@pytest.mark.slow
def test_a_database_gone_silent_ends_the_request_with_503_within_the_bound(
    server_database: TestDatabase, tmp_path: Path
):
    url = server_database.url
    with TcpProxy(
        url.host or "127.0.0.1", url.port or {"postgresql": 5432, "mysql": 3306}[server_database.backend]
    ) as proxy:
        server = Server(
            proxy.url_for(url).render_as_string(hide_password=False),
            tmp_path,
            DB_POOL_SIZE="1",
            DB_MAX_OVERFLOW="0",
            DB_STATEMENT_TIMEOUT_SECONDS=str(STATEMENT_SECONDS),
            DB_NETWORK_TIMEOUT_SECONDS=str(NETWORK_SECONDS),
        )
        try:
            server.wait_until_live()
            parent = Api(server.client).parent(with_family=False)
            assert server.client.get("/api/v1/users/me", headers=parent.headers).status_code == 200

            proxy.silence()  # the pooled connection stays open; nothing comes back on it, or on a new one
            started = time.monotonic()
            try:
                answer = server.client.get(
                    "/api/v1/users/me", headers=parent.headers, timeout=BOUND_SECONDS + MARGIN_SECONDS
                )
            except httpx.TimeoutException:
                pytest.fail(
                    f"the request was still waiting {BOUND_SECONDS + MARGIN_SECONDS} s after the database went silent"
                )
            elapsed = time.monotonic() - started

            assert answer.status_code == 503, answer.text
            assert answer.json()["code"] == "database_unavailable"
            assert answer.headers["Retry-After"]
            assert elapsed >= STATEMENT_SECONDS + NETWORK_SECONDS - 0.5  # it did wait for the answer first

            # The connection was given up, not kept: once the database answers again, so does the app.
            proxy.restore()
            assert server.client.get("/api/v1/users/me", headers=parent.headers).status_code == 200
        finally:
            server.stop()


def test_a_statement_waiting_on_a_lock_is_cancelled_after_the_statement_timeout(server_database: TestDatabase):
    app = create_app(server_database.settings(db_statement_timeout_seconds=STATEMENT_SECONDS))
    outcome: dict = {}
    try:
        with TestClient(app) as client:
            parent = Api(client).parent(with_family=False)
            lock = TableLock(server_database)
            try:
                request = threading.Thread(
                    target=lambda: outcome.update(answer=client.get("/api/v1/users/me", headers=parent.headers)),
                    daemon=True,
                )
                request.start()
                request.join(timeout=STATEMENT_SECONDS + MARGIN_SECONDS)
                finished_while_locked = not request.is_alive()
            finally:
                lock.release()
            request.join(timeout=10)
    finally:
        app.state.engine.dispose()

    assert finished_while_locked, (
        f"the request was still waiting on the lock after {STATEMENT_SECONDS + MARGIN_SECONDS} s"
    )
    assert outcome["answer"].status_code == 503
    assert outcome["answer"].json()["code"] == "database_unavailable"


def _statement_timeout_seconds(connection: sa.Connection) -> float:
    if connection.dialect.name == "postgresql":
        return connection.execute(
            sa.text("SELECT setting::int / 1000.0 FROM pg_settings WHERE name = 'statement_timeout'")
        ).scalar_one()
    return connection.execute(sa.text("SELECT @@session.max_statement_time")).scalar_one()


def test_the_app_limits_its_statements_and_the_migration_runner_does_not(server_database: TestDatabase):
    app = create_app(server_database.settings(db_statement_timeout_seconds=7))
    try:
        with app.state.engine.connect() as connection:
            assert _statement_timeout_seconds(connection) == 7
    finally:
        app.state.engine.dispose()
    with runner.connect(server_database.url) as connection:
        assert _statement_timeout_seconds(connection) == 0
