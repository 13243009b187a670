"""The ASGI app `chores-tracker serve` hands uvicorn: liveness at once, the full app right after.

Importing the full app (FastAPI, pydantic's models of every route, SQLAlchemy, the templates) and
building it (`create_app()`) takes most of a second of CPU. This wrapper imports nothing of that:
uvicorn listens as soon as the process has read its settings, and the wrapper builds the full app
in a thread started by its lifespan start-up, then runs the full app's own lifespan (the thread
limit, the in-process time step and deliveries) in the server's event loop, as uvicorn would have.

While the full app is being built:

- `GET /health` (liveness: the process is up) answers 200 here;
- readiness (`/api/v1/health/ready`) answers 503, reason `starting`: a load balancer sends nothing yet;
- every other request waits for the full app and gets its normal answer, never an error.

Once built and started, every request goes to the full app, `/health` and readiness too (its
readiness then says whether the database can serve this code). At shutdown the full app's lifespan
shutdown runs (its background tasks stopped, its engine disposed); a shutdown that comes during the
build waits for it first. If the full app cannot be built or started, the error is logged, waiting
requests get 503, and the process stops itself (SIGTERM, as an orchestrator would) so that it is
restarted rather than left live and never ready; `serve` then exits with status 3, as when uvicorn
itself fails to start.

This module imports only the standard library and chores_tracker's own light modules (a worker
process imports it before it listens): tests/operations/test_liveness_first.py checks.
"""

from __future__ import annotations

import asyncio
import json
import logging
import signal
import time
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from chores_tracker import __version__
from chores_tracker.paths import LIVENESS_PATH, READINESS_PATH

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)


def build_full_app() -> ASGIApp:
    """The app every request but early liveness goes to: create_app() from the environment's settings."""
    from chores_tracker.app import create_app

    return create_app()


def stop_this_process() -> None:
    """Ask the server to stop, as an orchestrator does: uvicorn shuts down gracefully on SIGTERM."""
    signal.raise_signal(signal.SIGTERM)


class FullAppFailed(Exception):
    """The full app could not be built, or its lifespan start-up failed."""


class LivenessFirst:
    """An ASGI app that answers liveness at once and serves everything else through the full app,
    built in the background from its lifespan start-up (see the module's docstring)."""

    def __init__(
        self,
        build: Callable[[], ASGIApp] = build_full_app,
        on_failure: Callable[[], None] = stop_this_process,
    ) -> None:
        self._build = build
        self._on_failure = on_failure
        self._app: ASGIApp | None = None  # set once the full app is built and its lifespan started
        self._starting: asyncio.Task[None] | None = None  # the build and start-up; it never raises
        self._lifespan: _FullLifespan | None = None
        self._state: dict[str, Any] | None = None

    @property
    def failed(self) -> bool:
        """The full app could not be built or started."""
        return self._starting is not None and self._starting.done() and self._app is None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._run_lifespan(scope, receive, send)
            return
        app = self._app
        if app is None:
            if scope["type"] == "http" and scope["method"] == "GET":
                if scope["path"] == LIVENESS_PATH:
                    await _answer(send, 200, {"status": "ok", "version": __version__})
                    return
                if scope["path"] == READINESS_PATH:
                    status = "starting_failed" if self.failed else "starting"
                    await _answer(send, 503, {"status": "not_ready", "reason": status})
                    return
            app = await self._wait_for_app()
            if app is None:
                await _answer(
                    send,
                    503,
                    {"detail": "the server could not start; it is stopping", "code": "starting_failed"},
                    retry_after=5,
                )
                return
            if self._state is not None and "state" in scope:
                # The request's copy of the lifespan state was taken before the full app's start-up.
                scope["state"] = dict(self._state)
        await app(scope, receive, send)

    async def started(self) -> bool:
        """Waits until the full app has started (True) or failed to (False)."""
        return await self._wait_for_app() is not None

    def _begin(self) -> asyncio.Task[None]:
        """The build and start-up, begun at the lifespan's start-up (or, a server run with lifespan
        off, at the first request)."""
        if self._starting is None:
            self._starting = asyncio.ensure_future(self._start())
        return self._starting

    async def _wait_for_app(self) -> ASGIApp | None:
        # Shielded: a request that goes away does not cancel the build the others wait for.
        await asyncio.shield(self._begin())
        return self._app

    async def _run_lifespan(self, scope: Scope, receive: Receive, send: Send) -> None:
        message = await receive()
        assert message["type"] == "lifespan.startup", message["type"]
        self._state = scope.get("state")
        self._begin()
        await send({"type": "lifespan.startup.complete"})
        message = await receive()
        assert message["type"] == "lifespan.shutdown", message["type"]
        try:
            await self._stop()
        except Exception as exc:
            log.exception("the app's shutdown failed")
            await send({"type": "lifespan.shutdown.failed", "message": f"{type(exc).__name__}: {exc}"})
            return
        await send({"type": "lifespan.shutdown.complete"})

    async def _start(self) -> None:
        began = time.monotonic()
        try:
            app = await asyncio.to_thread(self._build)
            lifespan = _FullLifespan(app, self._state)
            self._lifespan = lifespan
            await lifespan.startup()
        except FullAppFailed as exc:
            # The lifespan's failure message (Starlette's holds the traceback already).
            log.error("the app could not start; stopping: %s", exc)
            self._on_failure()
            return
        except Exception:
            log.exception("the app could not be built; stopping")
            self._on_failure()
            return
        self._app = app
        log.info("app started", extra={"seconds": round(time.monotonic() - began, 3)})

    async def _stop(self) -> None:
        if self._starting is not None:
            # A build cannot be interrupted (it is importing); the app it makes is started and then
            # stopped, as uvicorn does with an app whose start-up a signal interrupts.
            await self._starting
        if self._lifespan is not None and self._app is not None:  # it started
            await self._lifespan.shutdown()
            log.info("app stopped")


class _FullLifespan:
    """Drives the full app's ASGI lifespan from the wrapper's, in the same event loop."""

    def __init__(self, app: ASGIApp, state: dict[str, Any] | None) -> None:
        self.app = app
        self.state = state
        self._inbox: asyncio.Queue[Message] = asyncio.Queue()
        self._startup: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._shutdown: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._task: asyncio.Task[None] | None = None

    async def startup(self) -> None:
        scope: Scope = {"type": "lifespan", "asgi": {"version": "3.0", "spec_version": "2.0"}}
        if self.state is not None:
            scope["state"] = self.state
        self._task = asyncio.ensure_future(self.app(scope, self._inbox.get, self._send))
        # Its error, if it raises, is reported through _outcome; retrieved here so asyncio does not warn.
        self._task.add_done_callback(lambda task: task.cancelled() or task.exception())
        await self._inbox.put({"type": "lifespan.startup"})
        await self._outcome(self._startup, "start-up")

    async def shutdown(self) -> None:
        await self._inbox.put({"type": "lifespan.shutdown"})
        await self._outcome(self._shutdown, "shutdown")
        assert self._task is not None
        await self._task

    async def _outcome(self, future: asyncio.Future[None], what: str) -> None:
        assert self._task is not None
        await asyncio.wait({future, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if future.done():
            future.result()  # raises FullAppFailed
            return
        # The app's lifespan returned or raised without answering.
        exc = self._task.exception()
        if exc is not None:
            raise FullAppFailed(f"the app's lifespan {what} raised {type(exc).__name__}: {exc}") from exc
        raise FullAppFailed(f"the app's lifespan ended without completing its {what}")

    async def _send(self, message: Message) -> None:
        kind = message["type"]
        if kind == "lifespan.startup.complete":
            self._startup.set_result(None)
        elif kind == "lifespan.startup.failed":
            self._startup.set_exception(FullAppFailed(message.get("message") or "the app's start-up failed"))
        elif kind == "lifespan.shutdown.complete":
            self._shutdown.set_result(None)
        elif kind == "lifespan.shutdown.failed":
            self._shutdown.set_exception(FullAppFailed(message.get("message") or "the app's shutdown failed"))


async def _answer(send: Send, status: int, body: dict[str, object], retry_after: int | None = None) -> None:
    content = json.dumps(body, separators=(",", ":")).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(content)).encode()),
        (b"cache-control", b"no-store"),
    ]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": content})


def liveness_first() -> LivenessFirst:
    """The factory `serve` names to uvicorn when it runs several workers or reloads: one per process."""
    return LivenessFirst()
