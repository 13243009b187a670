"""Graceful behaviour of the real server process against PostgreSQL.

The database is reached through a TCP proxy the test cuts and restores, so an outage is real for
the app while the shared database server keeps running for everyone else.
"""

from __future__ import annotations

import json
import signal
import threading
from pathlib import Path

import httpx
import pytest

from tests.operations.locking import TableLock
from tests.operations.serving import Server, wait_for
from tests.support.api import PASSWORD
from tests.support.databases import TestDatabase
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def postgres(database_factory) -> TestDatabase:
    return database_factory("postgresql")


@pytest.fixture
def proxy(postgres: TestDatabase):
    with TcpProxy(postgres.url.host or "127.0.0.1", postgres.url.port or 5432) as running:
        yield running


def _start(postgres: TestDatabase, proxy: TcpProxy, tmp_path: Path, **settings: str) -> Server:
    url = proxy.url_for(postgres.url).render_as_string(hide_password=False)
    server = Server(url, tmp_path, **settings)
    server.wait_until_live()
    return server


@pytest.fixture
def server(postgres: TestDatabase, proxy: TcpProxy, tmp_path: Path):
    running = _start(postgres, proxy, tmp_path, DB_POOL_SIZE="2")
    yield running
    running.stop()


def _token(server: Server, username: str) -> dict[str, str]:
    registered = server.client.post(
        "/api/v1/users/register", data={"username": username, "password": PASSWORD, "is_parent": "true"}
    )
    assert registered.status_code == 201, registered.text
    login = server.client.post("/api/v1/users/login", data={"username": username, "password": PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['access_token']}"}


def test_a_database_outage_turns_readiness_and_api_to_503_and_heals_by_itself(server: Server, proxy: TcpProxy):
    auth = _token(server, "outage-parent")
    assert server.client.get("/api/v1/users/me", headers=auth).status_code == 200

    proxy.cut()
    assert server.client.get("/health").status_code == 200
    ready = server.client.get("/api/v1/health/ready")
    assert ready.status_code == 503
    assert ready.json()["reason"] == "database_unreachable"
    for response in (
        server.client.get("/api/v1/users/me", headers=auth),
        server.client.post("/api/v1/users/login", data={"username": "outage-parent", "password": PASSWORD}),
    ):
        assert response.status_code == 503
        assert response.json()["code"] == "database_unavailable"
        assert "Traceback" not in response.text
        assert response.headers["Retry-After"]

    proxy.restore()
    wait_for(
        lambda: server.client.get("/api/v1/health/ready").status_code == 200, timeout=20, what="readiness to return"
    )
    assert server.client.get("/api/v1/users/me", headers=auth).status_code == 200
    assert server.process.poll() is None  # healed without a restart

    lines = [json.loads(line) for line in server.log().splitlines() if line.strip()]
    assert any(line["message"] == "GET /api/v1/users/me 503" for line in lines)
    assert not any("Traceback" in line.get("exception", "") for line in lines if line["level"] == "ERROR")


def _in_flight(server: Server, headers: dict[str, str]) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def call() -> None:
        try:
            with httpx.Client(base_url=server.base_url, timeout=60) as client:
                outcome["response"] = client.get("/api/v1/users/me", headers=headers)
        except httpx.HTTPError as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread, outcome


def test_sigterm_lets_the_request_in_flight_finish_then_exits(server: Server, postgres: TestDatabase):
    auth = _token(server, "draining-parent")
    lock = TableLock(postgres)
    try:
        thread, outcome = _in_flight(server, auth)
        wait_for(lock.request_is_waiting, timeout=10, what="the request to wait on the lock")

        server.terminate()
        wait_for(lambda: not server.accepts_connections(), timeout=10, what="the server to stop accepting")
        assert server.process.poll() is None, "the server quit with a request still in flight"
    finally:
        lock.release()

    thread.join(timeout=20)
    assert "error" not in outcome, outcome.get("error")
    assert outcome["response"].status_code == 200
    # A graceful stop is a success: exit status 0, not "killed by SIGTERM".
    assert server.process.wait(timeout=15) == 0, server.log()
    assert "Application shutdown complete." in server.log()


def test_a_request_outliving_the_grace_period_does_not_hold_the_exit(
    postgres: TestDatabase, proxy: TcpProxy, tmp_path: Path
):
    grace = 2
    server = _start(postgres, proxy, tmp_path, SHUTDOWN_GRACE_SECONDS=str(grace))
    lock = None
    try:
        auth = _token(server, "stuck-parent")
        lock = TableLock(postgres)
        _in_flight(server, auth)
        wait_for(lock.request_is_waiting, timeout=10, what="the request to wait on the lock")
        server.terminate()
        # The lock is still held: only the grace period can end the wait. A request was cut off, so
        # this stop was not graceful, and the exit status says the signal ended the process.
        assert server.process.wait(timeout=grace + 10) == -signal.SIGTERM
        assert lock.transaction.is_active
        assert "timeout graceful shutdown exceeded" in server.log()
    finally:
        if lock is not None:
            lock.release()
        server.stop()
