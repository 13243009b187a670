"""The outcome of a migration run as Prometheus metrics: pushed to a Pushgateway, written for
node_exporter's textfile collector, or both. A Job is gone before anything could scrape it."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from chores_tracker.observability.logs import mask_secrets

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry

log = logging.getLogger("chores_tracker.db.metrics")

PUSHGATEWAY_JOB = "chores_tracker_migration"


@dataclass(frozen=True)
class RunOutcome:
    outcome: str  # success | failed
    exit_code: int
    from_revision: str | None
    to_revision: str | None
    applied: int
    seconds: float
    database: str | None


def registry_for(result: RunOutcome) -> CollectorRegistry:
    # Loaded only when the metrics go somewhere: most runs export none.
    from prometheus_client import CollectorRegistry, Gauge

    registry = CollectorRegistry()
    Gauge("chores_tracker_migration_success", "1 if the last migration run succeeded, else 0", registry=registry).set(
        1 if result.exit_code == 0 else 0
    )
    Gauge("chores_tracker_migration_exit_code", "Exit code of the last migration run", registry=registry).set(
        result.exit_code
    )
    Gauge("chores_tracker_migration_duration_seconds", "Duration of the last migration run", registry=registry).set(
        result.seconds
    )
    Gauge(
        "chores_tracker_migration_revisions_applied", "Revisions applied by the last migration run", registry=registry
    ).set(result.applied)
    Gauge(
        "chores_tracker_migration_last_run_timestamp_seconds", "When the last migration run ended", registry=registry
    ).set(time.time())
    info = Gauge(
        "chores_tracker_migration_revision_info",
        "Revisions before and after the last migration run",
        ["from_revision", "to_revision", "outcome"],
        registry=registry,
    )
    info.labels(result.from_revision or "base", result.to_revision or "base", result.outcome).set(1)
    return registry


def publish(result: RunOutcome, pushgateway_url: str | None, textfile: Path | None) -> None:
    """Best effort: a metrics problem is logged and never changes the run's exit code."""
    if not pushgateway_url and not textfile:
        return
    from prometheus_client import push_to_gateway, write_to_textfile

    registry = registry_for(result)
    if textfile:
        try:
            Path(textfile).parent.mkdir(parents=True, exist_ok=True)
            write_to_textfile(str(textfile), registry)
        except Exception as exc:
            log.warning("could not write migration metrics to %s: %s", textfile, mask_secrets(str(exc)))
    if pushgateway_url:
        try:
            grouping = {"database": result.database} if result.database else None
            push_to_gateway(pushgateway_url, job=PUSHGATEWAY_JOB, registry=registry, grouping_key=grouping, timeout=10)
        except Exception as exc:
            log.warning("could not push migration metrics to the Pushgateway: %s", mask_secrets(str(exc)))
