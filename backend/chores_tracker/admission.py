"""Admission: no more requests use the database at once than the connection pool can serve.

Without it, every request the server accepts takes a worker thread and waits in the pool's queue;
past the pool's size they wait out the pool timeout, holding threads, and answer errors. Here the
extra requests wait in line on the event loop (no thread, no connection), each for at most
DB_ADMISSION_TIMEOUT_SECONDS, and are let in as requests finish; a request still waiting then
answers 503 with Retry-After. The server runs one event loop per process, and so one line.
"""

from __future__ import annotations

import anyio
from starlette.types import ASGIApp, Receive, Scope, Send

from chores_tracker.errors import ServerBusy
from chores_tracker.observability import metrics


class AdmissionMiddleware:
    """Lets `permits` requests in at once, except those under the `exempt` paths.

    A refusal is raised as ServerBusy, for the app's error handlers to answer (JSON or a page):
    add this middleware innermost, inside UnhandledErrorMiddleware.
    """

    def __init__(self, app: ASGIApp, permits: int, wait_seconds: float, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.wait_seconds = wait_seconds
        self.exempt = exempt
        self._permits = anyio.Semaphore(permits)

    def _admits_freely(self, path: str) -> bool:
        return any(path == prefix or path.startswith(prefix + "/") for prefix in self.exempt)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self._admits_freely(scope["path"]):
            await self.app(scope, receive, send)
            return
        try:
            self._permits.acquire_nowait()
        except anyio.WouldBlock:
            if not await self._wait_for_a_permit():
                metrics.DB_ADMISSION_REFUSED.inc()
                raise ServerBusy() from None
        try:
            await self.app(scope, receive, send)
        finally:
            self._permits.release()

    async def _wait_for_a_permit(self) -> bool:
        metrics.DB_ADMISSION_WAITING.inc()
        try:
            with anyio.move_on_after(self.wait_seconds) as waiting:
                await self._permits.acquire()
        finally:
            metrics.DB_ADMISSION_WAITING.dec()
        return not waiting.cancelled_caught
