"""`serve` answers liveness before the full app exists (issue 12, start-up): chores_tracker.bootstrap.

The wrapper uvicorn serves answers `/health` at once, readiness 503 `starting` until the full app is
built and started, and hands every other request to the full app once it is, the request waiting
until then. First the wrapper alone with a stand-in full app, then the real `serve` process with the
full app's import held at a gate (gated_serve.py): nothing here waits a fixed time.
"""

from __future__ import annotations

import asyncio
import http.client
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from chores_tracker import __version__
from chores_tracker.bootstrap import LivenessFirst
from chores_tracker.cli import STARTUP_FAILURE
from chores_tracker.paths import LIVENESS_PATH, READINESS_PATH
from tests.operations.serving import BACKEND_DIR, Server, wait_for
from tests.support.api import PASSWORD
from tests.support.databases import TestDatabase

GATED_SERVE = Path(__file__).with_name("gated_serve.py")
# What the full app needs and the process answering liveness must not have loaded yet.
FULL_APP_MODULES = ("fastapi", "starlette", "sqlalchemy", "chores_tracker.app", "jinja2", "alembic")


def loaded(modules: list[str], names: tuple[str, ...]) -> list[str]:
    return sorted({m for m in modules for name in names if m == name or m.startswith(name + ".")})


# -- the wrapper alone, with a stand-in for the full app -------------------------------------------


class StandIn:
    """A full app that records what reached it: its lifespan's start-up and shutdown, and requests."""

    def __init__(self, startup_fails: bool = False) -> None:
        self.startup_fails = startup_fails
        self.events: list[str] = []

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await receive()
            self.events.append("startup")
            if self.startup_fails:
                await send({"type": "lifespan.startup.failed", "message": "the stand-in refuses to start"})
                return
            scope["state"]["from_full_app"] = True
            await send({"type": "lifespan.startup.complete"})
            await receive()
            self.events.append("shutdown")
            await send({"type": "lifespan.shutdown.complete"})
            return
        self.events.append(f"{scope['method']} {scope['path']} state={sorted(scope['state'])}")
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"the full app"})


class Lifespan:
    """The wrapper's lifespan driven as uvicorn drives it."""

    def __init__(self, app: LivenessFirst) -> None:
        self.app = app
        self.state: dict[str, Any] = {}
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": self.state}
        self.task = asyncio.ensure_future(self.app(scope, self.inbox.get, self.outbox.put))
        await self.inbox.put({"type": "lifespan.startup"})
        assert (await self.outbox.get())["type"] == "lifespan.startup.complete"

    async def shutdown(self) -> str:
        await self.inbox.put({"type": "lifespan.shutdown"})
        answer = await self.outbox.get()
        assert self.task is not None
        await self.task
        return str(answer["type"])

    async def request(self, path: str, method: str = "GET") -> tuple[int, bytes]:
        scope = {"type": "http", "method": method, "path": path, "headers": [], "state": dict(self.state)}
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await self.app(scope, receive, send)
        return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def run_apart(scenario: Callable[[], Any]) -> None:
    """asyncio.run(scenario()) in a thread of its own: the test process's main thread may already have
    an event loop running (Playwright's sync API keeps one for the browser tests that ran before)."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(lambda: asyncio.run(scenario())).result()


def gated(full: Callable[[], Any], gate: threading.Event) -> Callable[[], Any]:
    def build() -> Any:
        assert gate.wait(timeout=30), "the test never opened the gate"
        return full()

    return build


def test_liveness_at_once_readiness_starting_and_a_request_waits_for_the_full_app():
    async def scenario() -> None:
        gate = threading.Event()
        stand_in = StandIn()
        failures: list[str] = []
        lifespan = Lifespan(LivenessFirst(gated(lambda: stand_in, gate), lambda: failures.append("stop")))
        await lifespan.startup()

        status, body = await lifespan.request(LIVENESS_PATH)
        assert (status, json.loads(body)) == (200, {"status": "ok", "version": __version__})
        status, body = await lifespan.request(READINESS_PATH)
        assert (status, json.loads(body)) == (503, {"status": "not_ready", "reason": "starting"})

        waiting = asyncio.ensure_future(lifespan.request("/api/v1/users/me"))
        for _ in range(20):  # the loop turns: the request gets as far as it can without the full app
            await asyncio.sleep(0)
        assert not waiting.done() and stand_in.events == []

        gate.set()
        assert await waiting == (200, b"the full app")
        # Its state is the full app's lifespan state, as uvicorn would have given it.
        assert stand_in.events == ["startup", "GET /api/v1/users/me state=['from_full_app']"]
        # Once started, liveness and readiness are the full app's too.
        assert await lifespan.request(LIVENESS_PATH) == (200, b"the full app")
        assert await lifespan.request(READINESS_PATH) == (200, b"the full app")

        assert await lifespan.shutdown() == "lifespan.shutdown.complete"
        assert stand_in.events[-1] == "shutdown" and stand_in.events.count("startup") == 1
        assert failures == []

    run_apart(scenario)


def test_a_shutdown_during_the_build_waits_for_it_then_starts_and_stops_the_full_app():
    async def scenario() -> None:
        gate = threading.Event()
        stand_in = StandIn()
        lifespan = Lifespan(LivenessFirst(gated(lambda: stand_in, gate), lambda: None))
        await lifespan.startup()
        stopping = asyncio.ensure_future(lifespan.shutdown())
        for _ in range(20):
            await asyncio.sleep(0)
        assert not stopping.done()
        gate.set()
        assert await stopping == "lifespan.shutdown.complete"
        assert stand_in.events == ["startup", "shutdown"]

    run_apart(scenario)


def _boom() -> Any:
    raise RuntimeError("no database driver for this URL")


@pytest.mark.parametrize(
    ("build", "logged"),
    [
        (_boom, "the app could not be built; stopping"),
        (lambda: StandIn(startup_fails=True), "the app could not start; stopping: the stand-in refuses to start"),
    ],
    ids=["build", "lifespan-startup"],
)
def test_when_the_full_app_cannot_start_the_process_stops_and_waiting_requests_get_503(build, logged, caplog):
    async def scenario() -> None:
        gate = threading.Event()
        failures: list[str] = []
        wrapper = LivenessFirst(gated(build, gate), lambda: failures.append("stop"))
        lifespan = Lifespan(wrapper)
        await lifespan.startup()
        waiting = asyncio.ensure_future(lifespan.request("/api/v1/users/me"))
        for _ in range(20):
            await asyncio.sleep(0)
        gate.set()
        status, body = await waiting
        assert status == 503 and json.loads(body)["code"] == "starting_failed"
        assert failures == ["stop"] and wrapper.failed
        status, body = await lifespan.request(READINESS_PATH)
        assert (status, json.loads(body)) == (503, {"status": "not_ready", "reason": "starting_failed"})
        assert (await lifespan.request(LIVENESS_PATH))[0] == 200  # the process is up until it has stopped
        assert await lifespan.shutdown() == "lifespan.shutdown.complete"

    run_apart(scenario)
    assert logged in caplog.text


def test_the_wrapper_answers_liveness_with_none_of_the_full_app_imported(tmp_path):
    """What a worker process imports before it listens: the wrapper module only."""
    code = (
        "import asyncio, json, sys\n"
        "from chores_tracker import bootstrap\n"
        "sent = []\n"
        "async def send(message):\n"
        "    sent.append(message)\n"
        "async def receive():\n"
        "    return {'type': 'http.request', 'body': b'', 'more_body': False}\n"
        "scope = {'type': 'http', 'method': 'GET', 'path': '/health', 'headers': []}\n"
        "asyncio.run(bootstrap.liveness_first()(scope, receive, send))\n"
        "print(json.dumps({'status': sent[0]['status'], 'modules': sorted(sys.modules)}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": str(BACKEND_DIR)},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    answer = json.loads(result.stdout.splitlines()[-1])
    assert answer["status"] == 200
    assert loaded(answer["modules"], (*FULL_APP_MODULES, "pydantic", "chores_tracker.settings")) == []


# -- the real `serve` process -------------------------------------------------------------------------


def open_gate(fifo: Path) -> None:
    with fifo.open("w") as gate:  # the server opened it for reading at the gate
        gate.write("go\n")


def gated_server(database: TestDatabase, tmp_path: Path) -> tuple[Server, Path, Path]:
    fifo, modules = tmp_path / "gate", tmp_path / "modules.json"
    os.mkfifo(fifo)
    server = Server(database.url_string, tmp_path, launcher=(str(GATED_SERVE), str(fifo), str(modules)))
    return server, fifo, modules


def test_serve_answers_liveness_before_the_full_app_is_imported_and_a_request_waits_for_it(sqlite_database, tmp_path):
    server, fifo, modules = gated_server(sqlite_database, tmp_path)
    try:
        server.wait_until_live()
        # The build has reached the full app's import, and waits at the gate: what the process had
        # loaded to answer /health.
        before = json.loads(wait_for(lambda: modules.exists() and modules.read_text(), timeout=30, what="the gate"))
        assert loaded(before, FULL_APP_MODULES) == []

        ready = server.client.get(READINESS_PATH)
        assert (ready.status_code, ready.json()) == (503, {"status": "not_ready", "reason": "starting"})

        early = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        form = {"username": "early-parent", "password": PASSWORD, "is_parent": "true"}
        early.request(
            "POST",
            "/api/v1/users/register",
            body=urlencode(form),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        # Sent while the full app did not exist yet:
        assert server.client.get(READINESS_PATH).json()["reason"] == "starting"

        open_gate(fifo)
        answer = early.getresponse()
        assert answer.status == 201, answer.read()
        assert json.loads(answer.read())["username"] == "early-parent"
        early.close()

        wait_for(lambda: server.client.get(READINESS_PATH).status_code == 200, timeout=30, what="readiness to turn 200")
        assert server.client.get(LIVENESS_PATH).json() == {"status": "ok", "version": __version__}

        server.terminate()
        assert server.process.wait(timeout=60) == 0, server.log()
        log = server.log()
        assert log.index('"app started"') < log.index("Shutting down") < log.index('"app stopped"'), log
        assert "Traceback" not in log and '"level": "ERROR"' not in log, log
    finally:
        server.stop()


def test_sigterm_during_the_build_waits_for_it_then_stops_the_full_app_cleanly(sqlite_database, tmp_path):
    server, fifo, modules = gated_server(sqlite_database, tmp_path)
    try:
        server.wait_until_live()
        wait_for(modules.exists, timeout=30, what="the gate")
        server.terminate()
        wait_for(lambda: "Shutting down" in server.log(), timeout=30, what="the server to start its shutdown")
        open_gate(fifo)
        assert server.process.wait(timeout=60) == 0, server.log()
        log = server.log()
        assert log.index("Shutting down") < log.index('"app started"') < log.index('"app stopped"'), log
    finally:
        server.stop()


def test_serve_stops_with_the_start_up_failure_status_when_the_full_app_cannot_be_built(sqlite_database, tmp_path):
    # A Redis URL the rate limiter cannot use: create_app() refuses it (tests/operations/test_startup_imports.py).
    server = Server(sqlite_database.url_string, tmp_path, REDIS_URL="async+memory://")
    try:
        assert server.process.wait(timeout=120) == STARTUP_FAILURE, server.log()
        log = server.log()
        assert "the app could not be built; stopping" in log and "REDIS_URL cannot be used for rate limits" in log
    finally:
        server.stop()


def test_serve_with_several_workers_serves_each_request_from_a_built_app(sqlite_database, tmp_path):
    server = Server(sqlite_database.url_string, tmp_path, workers=2)
    try:
        server.wait_until_live(timeout=60)
        # Whichever worker takes them, and whether or not it has built its app yet: the normal answers.
        for _ in range(6):
            me = server.client.get("/api/v1/users/me", timeout=60)
            assert me.status_code == 401 and me.json()["code"] == "unauthorized", me.text
        wait_for(lambda: server.client.get(READINESS_PATH).status_code == 200, timeout=60, what="ready")
        server.terminate()
        status = server.process.wait(timeout=60)
        assert status == 0, server.log()
        assert server.log().count('"app stopped"') == 2, server.log()
    finally:
        server.stop()
