"""More requests than database connections: they wait their turn or answer 503, never 500.

A request holds at most one connection. The server lets as many requests use the database at once
as the pool has connections (DB_POOL_SIZE + DB_MAX_OVERFLOW); the others wait in line, each for at
most DB_ADMISSION_TIMEOUT_SECONDS, then answer 503 with Retry-After. A connection the pool cannot
hand out within DB_POOL_TIMEOUT_SECONDS is a 503 with Retry-After too.
"""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from chores_tracker.web.session import SESSION_COOKIE
from tests.operations.locking import TableLock
from tests.operations.serving import Server, wait_for
from tests.support.api import Api
from tests.support.databases import TestDatabase


def test_a_request_the_pool_has_no_connection_for_answers_503_with_retry_after(make_app):
    app = make_app(db_pool_size=1, db_max_overflow=0, db_pool_timeout_seconds=0.5)
    with TestClient(app) as client:
        parent = Api(client).parent(with_family=False)
        held = app.state.engine.connect()  # the pool's only connection, taken outside any request
        try:
            answer = client.get("/api/v1/users/me", headers=parent.headers)
            page = client.get("/", headers={"Cookie": f"{SESSION_COOKIE}={parent.token}"})
        finally:
            held.close()

    assert answer.status_code == 503, answer.text
    assert answer.json()["code"] == "server_busy"
    assert answer.headers["Retry-After"] == "5"
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")
    assert "We are busy right now" in page.text
    assert page.headers["Retry-After"] == "5"


@pytest.fixture(params=["postgresql", "mysql"])
def server_database(request, database_factory) -> TestDatabase:
    return database_factory(request.param)


class _Burst:
    """Requests sent at once, each from its own thread and connection; their answers as they come."""

    def __init__(self, server: Server, calls: list[tuple[str, dict[str, str]]]) -> None:
        self.answers: list[httpx.Response | Exception] = []
        self._lock = threading.Lock()
        barrier = threading.Barrier(len(calls))

        def send(path: str, headers: dict[str, str]) -> None:
            try:
                with httpx.Client(base_url=server.base_url, timeout=60) as client:
                    barrier.wait(timeout=10)
                    outcome: httpx.Response | Exception = client.get(path, headers=headers)
            except Exception as exc:  # reported with the answers
                outcome = exc
            with self._lock:
                self.answers.append(outcome)

        self.threads = [threading.Thread(target=send, args=call, daemon=True) for call in calls]
        for thread in self.threads:
            thread.start()

    def answered(self) -> int:
        with self._lock:
            return len(self.answers)

    def statuses(self) -> list[int | str]:
        with self._lock:
            return sorted(a.status_code if isinstance(a, httpx.Response) else repr(a) for a in self.answers)


@pytest.mark.slow
def test_requests_beyond_the_pool_wait_their_turn_or_answer_503_never_500(
    server_database: TestDatabase, tmp_path: Path
):
    admission_wait = 2
    server = Server(
        server_database.url_string,
        tmp_path,
        DB_POOL_SIZE="1",
        DB_MAX_OVERFLOW="0",
        DB_ADMISSION_TIMEOUT_SECONDS=str(admission_wait),
    )
    lock = None
    try:
        server.wait_until_live()
        parent = Api(server.client).parent()
        cookie = {"Cookie": f"{SESSION_COOKIE}={parent.token}"}

        # One request gets the only connection and waits on the lock; the three others find none.
        lock = TableLock(server_database)
        burst = _Burst(server, [("/api/v1/users/me", parent.headers)] * 3 + [("/", cookie)])
        wait_for(lock.request_is_waiting, timeout=10, what="a request to hold the connection, waiting on the lock")
        assert server.client.get("/health").status_code == 200  # liveness never queues
        wait_for(
            lambda: burst.answered() == 3,
            timeout=admission_wait + 4,
            what="the requests beyond the pool to be answered within the admission wait",
        )
        lock.release()
        for thread in burst.threads:
            thread.join(timeout=10)

        assert burst.statuses() == [200, 503, 503, 503], server.log()
        for refused in (a for a in burst.answers if a.status_code == 503):
            assert refused.headers["Retry-After"] == "5"
            if refused.request.url.path.startswith("/api/"):
                assert refused.json()["code"] == "server_busy"
            else:
                assert "We are busy right now" in refused.text

        # With the connection free, a burst of many more requests than connections is served in turn.
        served = _Burst(server, [("/api/v1/users/me", parent.headers)] * 8)
        for thread in served.threads:
            thread.join(timeout=30)
        assert served.statuses() == [200] * 8
    finally:
        if lock is not None:
            lock.release()
        server.stop()
