"""Readiness: does the database answer, and is its schema one this code can serve?

Ready means the code's head is among the database's applied revisions: the database is at it, or
ahead of it (old pods during a rolling update, or the app rolled back: expand/contract keeps a
newer schema compatible with the previous release). Behind means a migration has not run yet.
The code's revisions are read once at start; a check costs one or two small queries and its
answer is reused for a few seconds. The app never migrates: it waits, not ready, until the
migration Job has run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError, OperationalError

from chores_tracker.migrations import history
from chores_tracker.migrations.revisions import CodeRevisions, classify

log = logging.getLogger(__name__)


@dataclass
class ReadinessReport:
    ready: bool
    reason: str | None = None
    details: dict[str, object] = field(default_factory=dict)

    def body(self) -> dict[str, object]:
        body: dict[str, object] = {"status": "ready" if self.ready else "not_ready"}
        if self.reason:
            body["reason"] = self.reason
        body.update(self.details)
        return body


class ReadinessProbe:
    """One check at a time; its answer is cached for `cache_seconds` so probes and load balancers stay cheap."""

    def __init__(self, engine: Engine, cache_seconds: float, code: CodeRevisions | None = None) -> None:
        self.engine = engine
        self.cache_seconds = cache_seconds
        self.code = code
        self._lock = threading.Lock()
        self._cached: tuple[float, ReadinessReport] | None = None
        # Called with every fresh report (metrics keep their gauges up to date this way).
        self.listeners: list[Callable[[ReadinessReport], None]] = []

    def check(self) -> ReadinessReport:
        try:
            connection = self.engine.connect()
        except Exception as exc:  # any failure to reach the database means not ready
            log.warning("readiness: database unreachable: %s", type(exc).__name__)
            return ReadinessReport(False, "database_unreachable")
        try:
            with connection:
                return self._schema_report(connection)
        except (OperationalError, DBAPIError) as exc:
            if isinstance(exc, OperationalError) or exc.connection_invalidated:
                log.warning("readiness: database unreachable: %s", type(exc).__name__)
                return ReadinessReport(False, "database_unreachable")
            log.warning("readiness: cannot read the schema revision: %s", type(exc).__name__)
            return ReadinessReport(False, "schema_unknown", {"current": None, "expected": self._expected()})

    def _expected(self) -> str | None:
        return ",".join(self.code.heads) if self.code else None

    def _schema_report(self, connection: Connection) -> ReadinessReport:
        heads = history.version_heads(connection)
        if self.code is None:
            return ReadinessReport(False, "schema_unknown", {"current": ",".join(heads) or None, "expected": None})
        state = classify(self.code, heads)
        if not state.serves_this_code and any(head not in self.code.parents for head in heads):
            # A revision newer than this code: the schema history knows where it came from.
            state = classify(self.code, heads, history.recorded_parents(connection))
        details: dict[str, object] = {"current": state.current_text, "expected": state.expected_text}
        if state.serves_this_code:
            return ReadinessReport(True, None, {"schema": state.kind, **details})
        if state.kind in ("behind", "empty"):
            return ReadinessReport(False, "schema_behind", details)
        return ReadinessReport(False, "schema_unknown", details)

    def report(self) -> ReadinessReport:
        with self._lock:
            if self._cached and time.monotonic() - self._cached[0] < self.cache_seconds:
                return self._cached[1]
            result = self.check()
            self._cached = (time.monotonic(), result)
        for listener in self.listeners:
            listener(result)
        return result


def readiness(probe: ReadinessProbe) -> ReadinessReport:
    return probe.report()
