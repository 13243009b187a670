"""Prometheus metrics: HTTP traffic, the connection pool, readiness and schema, and business events.

The counters live at module level, so that services record events with one call
(`record_chore_approved(amount_cents)`) without knowing about HTTP or the app. Each app builds
its own registry around them (`build_registry`), adding the collectors that belong to its engine.
Metrics are per process: run one worker per replica and let Prometheus add the replicas up.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector
from sqlalchemy import Engine

PREFIX = "chores_tracker"

HTTP_REQUESTS = Counter(
    f"{PREFIX}_http_requests",
    "HTTP requests answered, by route template and status.",
    ["method", "route", "status"],
    registry=None,
)
HTTP_LATENCY = Histogram(
    f"{PREFIX}_http_request_duration_seconds",
    "Time from the request's arrival to the end of its answer, by route template and status.",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=None,
)
HTTP_IN_PROGRESS = Gauge(f"{PREFIX}_http_requests_in_progress", "Requests being answered right now.", registry=None)
DB_ADMISSION_WAITING = Gauge(
    f"{PREFIX}_db_admission_waiting",
    "Requests waiting for their turn to use the database (all the pool's connections are in use).",
    registry=None,
)
DB_ADMISSION_REFUSED = Counter(
    f"{PREFIX}_db_admission_refused",
    "Requests answered 503 because no database connection came free within DB_ADMISSION_TIMEOUT_SECONDS.",
    registry=None,
)

DATABASE_READY = Gauge(
    f"{PREFIX}_database_ready", "1 when the last readiness check found the database able to serve.", registry=None
)
READINESS_CHECKED = Gauge(
    f"{PREFIX}_readiness_checked_timestamp_seconds", "When readiness was last checked (Unix time).", registry=None
)
SCHEMA_REVISION = Gauge(
    f"{PREFIX}_schema_revision_info",
    "The schema revision the database is at and the one this code expects (value is always 1).",
    ["revision", "expected"],
    registry=None,
)
SCHEMA_AT_HEAD = Gauge(
    f"{PREFIX}_schema_at_expected_head",
    "1 when the database has the revision this code expects applied; 0 when behind or unknown.",
    registry=None,
)

CHORES_COMPLETED = Counter(f"{PREFIX}_chores_completed", "Chores marked done by a child.", registry=None)
CHORES_APPROVED = Counter(f"{PREFIX}_chores_approved", "Completed chores a parent approved.", registry=None)
CHORES_REJECTED = Counter(f"{PREFIX}_chores_rejected", "Completed chores a parent rejected.", registry=None)
MONEY_APPROVED = Counter(
    f"{PREFIX}_money_approved_cents", "Rewards approved, in cents of the family's currency.", registry=None
)
LOGIN_FAILURES = Counter(
    f"{PREFIX}_login_failures", "Log-in attempts refused for a wrong name or password.", registry=None
)
RATE_LIMITED = Counter(
    f"{PREFIX}_rate_limited",
    "Requests refused with 429, by limit (login, signup, password_reset, join).",
    ["scope"],
    registry=None,
)
RATE_LIMIT_ERRORS = Counter(
    f"{PREFIX}_rate_limit_storage_errors",
    "Times the rate-limit store (Redis) could not be reached; the request was let through.",
    registry=None,
)

_SHARED = (
    HTTP_REQUESTS, HTTP_LATENCY, HTTP_IN_PROGRESS, DB_ADMISSION_WAITING, DB_ADMISSION_REFUSED,
    DATABASE_READY, READINESS_CHECKED, SCHEMA_REVISION, SCHEMA_AT_HEAD,
    CHORES_COMPLETED, CHORES_APPROVED, CHORES_REJECTED, MONEY_APPROVED,
    LOGIN_FAILURES, RATE_LIMITED, RATE_LIMIT_ERRORS,
)  # fmt: skip


# --- the function API services call -------------------------------------------------------------


def record_chore_completed() -> None:
    CHORES_COMPLETED.inc()


def record_chore_approved(amount_cents: int | None) -> None:
    CHORES_APPROVED.inc()
    if amount_cents:
        MONEY_APPROVED.inc(amount_cents)


def record_chore_rejected() -> None:
    CHORES_REJECTED.inc()


def record_login_failure() -> None:
    LOGIN_FAILURES.inc()


def record_rate_limited(scope: str) -> None:
    RATE_LIMITED.labels(scope=scope).inc()


def record_rate_limit_storage_error() -> None:
    RATE_LIMIT_ERRORS.inc()


def cents(amount: Decimal) -> int:
    """Money as the counters take it; Decimal in, integer cents out."""
    return int((amount * 100).to_integral_value())


def record_request(method: str, route: str, status: int, seconds: float) -> None:
    labels = {"method": method, "route": route, "status": str(status)}
    HTTP_REQUESTS.labels(**labels).inc()
    HTTP_LATENCY.labels(**labels).observe(seconds)


def record_schema(current: str | None, expected: str | None, at_head: bool) -> None:
    SCHEMA_REVISION.clear()
    SCHEMA_REVISION.labels(revision=current or "unknown", expected=expected or "unknown").set(1)
    SCHEMA_AT_HEAD.set(1 if at_head else 0)


def _revision_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (list, tuple, set, frozenset)):
        return ",".join(sorted(str(item) for item in value)) or None
    return str(value)


def observe_readiness(report: Any) -> None:
    """A readiness-probe listener: the probe's answer, as gauges (never a database call of its own)."""
    DATABASE_READY.set(1 if report.ready else 0)
    READINESS_CHECKED.set(time.time())
    details = getattr(report, "details", None) or {}
    current = _revision_text(details.get("current_revision", details.get("current")))
    expected = _revision_text(details.get("expected_revision", details.get("expected")))
    if current is not None or expected is not None:
        at_head = bool(details.get("at_head", report.ready))
        record_schema(current, expected, at_head)
    elif not report.ready:
        SCHEMA_AT_HEAD.set(0)


# --- per-app registry ---------------------------------------------------------------------------


class PoolCollector(Collector):
    """The engine's connection pool, read at scrape time."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def collect(self) -> Iterator[Metric]:
        pool = self.engine.pool
        if not all(hasattr(pool, name) for name in ("size", "checkedin", "checkedout", "overflow")):
            return  # a pool without bookkeeping (e.g. NullPool) has nothing to report
        # The ignores below: Pool declares none of these methods; the line above made sure this one has them.
        yield GaugeMetricFamily(f"{PREFIX}_db_pool_size", "Connections the pool keeps open.", value=pool.size())  # type: ignore[attr-defined]
        connections = GaugeMetricFamily(f"{PREFIX}_db_pool_connections", "Pool connections by state.", labels=["state"])
        connections.add_metric(["checked_out"], pool.checkedout())  # type: ignore[attr-defined]
        connections.add_metric(["idle"], pool.checkedin())  # type: ignore[attr-defined]
        yield connections
        yield GaugeMetricFamily(
            f"{PREFIX}_db_pool_overflow",
            "Connections beyond the pool size (negative: room left before the pool is full).",
            value=pool.overflow(),  # type: ignore[attr-defined]
        )


def build_registry(engine: Engine) -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=True)
    for metric in _SHARED:
        registry.register(metric)
    registry.register(PoolCollector(engine))
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)
    return registry
