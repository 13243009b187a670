"""The migration runner's outcome as metrics: a textfile for node-exporter, or a Pushgateway push.

A migration Job lives for seconds, too short to be scraped, so it leaves its result where
Prometheus can find it: MIGRATION_METRICS_TEXTFILE (node-exporter's textfile collector) and/or
PUSHGATEWAY_URL. Failing to record never fails the migration; it is logged instead.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Gauge, push_to_gateway, write_to_textfile

from chores_tracker.db.urls import mask_secrets_in_text
from chores_tracker.settings import Settings

log = logging.getLogger(__name__)

JOB_NAME = "chores_tracker_migrations"


@dataclass(frozen=True)
class MigrationOutcome:
    outcome: str  # "success" or the failure's name, e.g. "lock_timeout", "migration_failed"
    from_revision: str | None
    to_revision: str | None
    applied: int
    seconds: float
    exit_code: int = 0


def outcome_registry(result: MigrationOutcome, finished_at: float | None = None) -> CollectorRegistry:
    registry = CollectorRegistry()
    labels = {"outcome": result.outcome, "from_revision": result.from_revision or "none", "to_revision": result.to_revision or "none"}
    Gauge("chores_tracker_migration_last_run_info", "The last migration run (value is always 1).", list(labels), registry=registry).labels(**labels).set(1)
    Gauge("chores_tracker_migration_last_run_success", "1 when the last migration run succeeded.", registry=registry).set(1 if result.outcome == "success" else 0)
    Gauge("chores_tracker_migration_last_run_exit_code", "Exit code of the last migration run.", registry=registry).set(result.exit_code)
    Gauge("chores_tracker_migration_last_run_revisions_applied", "Revisions the last run applied.", registry=registry).set(result.applied)
    Gauge("chores_tracker_migration_last_run_duration_seconds", "How long the last run took.", registry=registry).set(result.seconds)
    Gauge("chores_tracker_migration_last_run_timestamp_seconds", "When the last run finished (Unix time).", registry=registry).set(finished_at or time.time())
    return registry


def record_migration_outcome(settings: Settings, result: MigrationOutcome) -> list[str]:
    """Write and/or push the outcome as configured; returns where it went (for the summary line)."""
    if not settings.migration_metrics_textfile and not settings.pushgateway_url:
        return []
    registry = outcome_registry(result)
    recorded: list[str] = []
    if settings.migration_metrics_textfile:
        try:
            write_to_textfile(str(settings.migration_metrics_textfile), registry)
            recorded.append("textfile")
        except OSError as exc:
            log.warning("could not write migration metrics to %s: %s", settings.migration_metrics_textfile, exc)
    if settings.pushgateway_url:
        try:
            push_to_gateway(settings.pushgateway_url, job=JOB_NAME, registry=registry, timeout=5)
            recorded.append("pushgateway")
        except Exception as exc:  # the gateway being away must not fail the migration
            log.warning("could not push migration metrics: %s", mask_secrets_in_text(str(exc)))
    return recorded
