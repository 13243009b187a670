"""Readiness: does the database answer, and is its schema one this code can serve?"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, text

log = logging.getLogger(__name__)


@dataclass
class ReadinessReport:
    ready: bool
    reason: str | None = None
    details: dict = field(default_factory=dict)

    def body(self) -> dict:
        body: dict = {"status": "ready" if self.ready else "not_ready"}
        if self.reason:
            body["reason"] = self.reason
        body.update(self.details)
        return body


class ReadinessProbe:
    """Caches the answer for a few seconds so that probes and load balancers stay cheap."""

    def __init__(self, engine: Engine, cache_seconds: float) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._cached: tuple[float, ReadinessReport] | None = None
        # Called with every fresh report (metrics keep their gauges up to date this way).
        self.listeners: list[Callable[[ReadinessReport], None]] = []

    def check(self) -> ReadinessReport:
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("readiness: database unreachable: %s", type(exc).__name__)
            return ReadinessReport(False, "database_unreachable")
        return ReadinessReport(True)

    def report(self) -> ReadinessReport:
        now = time.monotonic()
        with self._lock:
            if self._cached and now - self._cached[0] < self.cache_seconds:
                return self._cached[1]
        result = self.check()
        with self._lock:
            self._cached = (time.monotonic(), result)
        for listener in self.listeners:
            listener(result)
        return result


def readiness(probe: ReadinessProbe) -> ReadinessReport:
    return probe.report()
