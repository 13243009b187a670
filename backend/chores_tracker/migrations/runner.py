"""The migration runner: the only code that changes the schema.

The CLI (`chores-tracker db ...`), migrate-entrypoint.sh and the test fixtures call these
functions; backend/alembic/env.py takes the same lock through alembic_env. They take the database
as a normalized URL object (MigrationSettings.url) and hand Alembic that object, never a string with
the password in it. Errors are MigrationError subclasses carrying their exit code
(chores_tracker.migrations.exit_codes).
"""

from __future__ import annotations

import io
import logging
import time
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from chores_tracker import __version__, clock
from chores_tracker.db.urls import mask_url
from chores_tracker.migrations import alembic_env, history
from chores_tracker.migrations.alembic_env import (
    RunReport,
    compare_server_default,
    half_applied_error,
    include_object,
    read_heads,
)
from chores_tracker.migrations.exit_codes import RETRYABLE, ExitCode, MigrationError, VerificationFailed
from chores_tracker.migrations.history import HistoryRow
from chores_tracker.migrations.lock import migration_lock
from chores_tracker.migrations.revisions import (
    CodeRevisions,
    SchemaState,
    alembic_ini_path,
    classify,
    load_code_revisions,
)
from chores_tracker.migrations.runner_identity import current_identity
from chores_tracker.migrations.wait import connected, wait_for_database

if TYPE_CHECKING:
    from alembic.config import Config

# Alembic and the models are imported where they are used: a Job that finds the database at head
# (most deploys) needs neither, and they are most of its start-up.

log = logging.getLogger("chores_tracker.db.runner")

__all__ = ["alembic_ini_path", "downgrade", "drift", "migrate", "offline_sql", "stamp", "status", "upgrade"]


def alembic_config(database_url: sa.URL, *, ini_path: str | Path | None = None, **attributes: Any) -> Config:
    from alembic.config import Config

    config = Config(str(ini_path or alembic_ini_path()))
    config.attributes["database_url"] = database_url
    config.attributes.update({key: value for key, value in attributes.items() if value is not None})
    return config


def code_revisions(ini_path: str | Path | None = None) -> CodeRevisions:
    return load_code_revisions(str(ini_path) if ini_path else None)


def connect(database_url: sa.URL) -> AbstractContextManager[sa.Connection]:
    """A connection, or DatabaseUnreachable saying what failed."""
    return connected(database_url, pool_size=1, max_overflow=1, connect_timeout=5)


# -- changing the schema (under the lock, in alembic_env) -----------------------------------------


def _run(
    operation: str,
    database_url: sa.URL,
    revision: str,
    *,
    lock_timeout: float | None = None,
    ddl_lock_timeout: float | None = None,
    ini_path: str | Path | None = None,
    report: RunReport | None = None,
) -> RunReport:
    """Run an Alembic command under the lock; `report` (filled in even when it fails) says what happened."""
    from alembic import command

    report = report if report is not None else RunReport()
    report.operation = operation
    config = alembic_config(
        database_url,
        ini_path=ini_path,
        operation=operation,
        report=report,
        lock_timeout=lock_timeout,
        ddl_lock_timeout=ddl_lock_timeout,
        quiet_logging=True,
    )
    getattr(command, operation)(config, revision)
    return report


def upgrade(database_url: sa.URL, revision: str = "head", **options: Any) -> RunReport:
    return _run("upgrade", database_url, revision, **options)


def downgrade(database_url: sa.URL, revision: str, **options: Any) -> RunReport:
    return _run("downgrade", database_url, revision, **options)


def stamp(database_url: sa.URL, revision: str, **options: Any) -> RunReport:
    return _run("stamp", database_url, revision, **options)


# -- reading -------------------------------------------------------------------------------------


def current_heads(database_url: sa.URL) -> tuple[str, ...]:
    with connect(database_url) as connection:
        return read_heads(connection)


def schema_state(connection: sa.Connection, code: CodeRevisions) -> SchemaState:
    heads = read_heads(connection)
    return classify(code, heads, history.recorded_parents(connection))


@dataclass
class EditedRevision:
    revision: str
    script: str
    applied: HistoryRow


@dataclass
class StatusReport:
    database: str
    state: SchemaState
    code: CodeRevisions
    half_applied: list[HistoryRow] = field(default_factory=list)
    edited: list[EditedRevision] = field(default_factory=list)
    history_present: bool = True
    last_runs: list[HistoryRow] = field(default_factory=list)

    @property
    def exit_code(self) -> ExitCode:
        if self.half_applied:
            return ExitCode.HALF_APPLIED
        if self.state.kind == "at_head":
            return ExitCode.OK
        if self.state.kind in ("behind", "empty"):
            return ExitCode.STATUS_BEHIND
        return ExitCode.STATUS_UNKNOWN

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "state": self.state.kind,
            "current": list(self.state.current),
            "head": list(self.state.expected),
            "pending": list(self.state.pending),
            "half_applied": [row.revision for row in self.half_applied],
            "edited_revisions": [{"revision": e.revision, "file": e.script} for e in self.edited],
            "history_recorded": self.history_present,
            "exit_code": int(self.exit_code),
        }


def status(database_url: sa.URL, ini_path: str | Path | None = None) -> StatusReport:
    code = code_revisions(ini_path)
    with connect(database_url) as connection:
        state = schema_state(connection, code)
        present = history.table_exists(connection)
        report = StatusReport(mask_url(database_url), state, code, history_present=present)
        if present:
            report.half_applied = history.open_started(connection)
            report.last_runs = history.all_rows(connection, limit=5)
            applied_now, _ = code.ancestors(state.current, history.recorded_parents(connection))
            for revision, row in history.latest_applied_upgrades(connection).items():
                path = code.files.get(revision)
                if revision not in applied_now:
                    continue
                if path is not None and row.checksum and path.exists() and history.file_checksum(path) != row.checksum:
                    report.edited.append(EditedRevision(revision, path.name, row))
    return report


def drift(database_url: sa.URL) -> list[Any]:
    """Differences between the models and the database, as Alembic's autogenerate sees them."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from chores_tracker.db.models import Base

    with connect(database_url) as connection:
        context = MigrationContext.configure(
            connection,
            opts={
                "compare_type": True,
                "compare_server_default": compare_server_default,
                "include_object": include_object,
                "target_metadata": Base.metadata,
            },
        )
        return list(compare_metadata(context, Base.metadata))


def describe_difference(diff: Any) -> str:
    if isinstance(diff, list):
        return "; ".join(describe_difference(item) for item in diff)
    kind, *rest = diff
    names = []
    for item in rest:
        if isinstance(item, sa.Table):
            names.append(f"table {item.name}")
        elif isinstance(item, sa.Column):
            names.append(f"column {item.name} {item.type}")
        elif isinstance(item, (sa.Index, sa.Constraint)):
            table = getattr(getattr(item, "table", None), "name", "?")
            names.append(f"{type(item).__name__} {item.name} on {table}")
        elif isinstance(item, (str, int, bool)) or item is None:
            if item is not None:
                names.append(str(item))
        elif isinstance(item, dict):
            continue
        else:
            names.append(repr(item))
    return f"{kind}: " + " ".join(names)


def offline_sql(
    database_url: sa.URL, target: str = "head", start: str | None = None, ini_path: str | Path | None = None
) -> str:
    """The SQL an upgrade from `start` (default: the database's revision) to `target` would run."""
    if start is None:
        heads = current_heads(database_url)
        if len(heads) > 1:
            raise VerificationFailed(f"the database has several heads ({','.join(heads)}); pass --from")
        start = heads[0] if heads else "base"
    from alembic import command

    buffer = io.StringIO()
    config = alembic_config(database_url, ini_path=ini_path, quiet_logging=True)
    config.output_buffer = buffer
    command.upgrade(config, f"{start}:{target}", sql=True)
    return buffer.getvalue()


# -- the migration job ---------------------------------------------------------------------------


@dataclass
class MigrateResult:
    exit_code: ExitCode
    from_revision: str | None
    to_revision: str | None
    applied: list[str]
    seconds: float
    error: MigrationError | None = None


def _heads_text(heads: tuple[str, ...] | None) -> str | None:
    return ",".join(heads) if heads else None


def migrate(
    database_url: sa.URL,
    *,
    wait_timeout: float,
    lock_timeout: float,
    ddl_lock_timeout: float,
    pushgateway_url: str | None = None,
    metrics_textfile: Path | None = None,
) -> MigrateResult:
    """What the migration Job runs: wait, show, upgrade to head under the lock, verify, summarize."""
    from chores_tracker.migrations.outcome_metrics import RunOutcome, publish

    started = time.monotonic()
    identity = current_identity()
    code = code_revisions()
    log.info(
        "migration run starting at %s: database %s, code head %s, %s, version %s",
        clock.now().strftime("%Y-%m-%dT%H:%M:%SZ"),
        mask_url(database_url),
        ",".join(code.heads),
        identity.describe(),
        __version__,
        extra={
            "fields": {
                "event": "migration_start",
                "database": mask_url(database_url),
                "head": list(code.heads),
                "host": identity.host,
                "job": identity.job,
            }
        },
    )
    before: tuple[str, ...] | None = None
    after: tuple[str, ...] | None
    report: RunReport | None = None
    error: MigrationError | None = None
    try:
        wait_for_database(database_url, wait_timeout)
        with connect(database_url) as connection:
            state = schema_state(connection, code)
        before = state.current
        pending = ", ".join(code.describe(revision) for revision in state.pending) or "none"
        log.info(
            "database at %s; code head %s; state %s; pending: %s",
            state.current_text or "base (empty)",
            state.expected_text,
            state.kind,
            pending,
            extra={
                "fields": {
                    "event": "migration_plan",
                    "current": list(state.current),
                    "head": list(state.expected),
                    "state": state.kind,
                    "pending": list(state.pending),
                }
            },
        )
        report = RunReport()
        if not (state.kind == "at_head" and _confirmed_at_head(database_url, code, lock_timeout, report)):
            upgrade(database_url, "head", lock_timeout=lock_timeout, ddl_lock_timeout=ddl_lock_timeout, report=report)
        with connect(database_url) as connection:
            final = schema_state(connection, code)
        if not final.serves_this_code:
            raise VerificationFailed(
                f"after upgrading, the database is at {final.current_text or 'base'} ({final.kind}), "
                f"not at this code's head {final.expected_text}"
            )
        log.info("verified: the database is at %s (%s)", final.current_text, final.kind.replace("_", " "))
        after = final.current
    except Exception as exc:  # every outcome ends with a summary line and metrics
        exit_code = log_error(exc)
        error = exc if isinstance(exc, MigrationError) else None
        after = report.heads_after if report and report.heads_after is not None else None
    else:
        exit_code = ExitCode.OK
    seconds = time.monotonic() - started
    from_heads = report.heads_at_lock if report and report.heads_at_lock is not None else before
    if after is None and exit_code != ExitCode.OK:
        try:
            after = current_heads(database_url)
        except MigrationError:
            after = None
    applied = list(report.applied) if report else []
    result = MigrateResult(exit_code, _heads_text(from_heads), _heads_text(after), applied, seconds, error)
    log_summary(result)
    publish(
        RunOutcome(
            "success" if exit_code == ExitCode.OK else "failed",
            int(exit_code),
            result.from_revision,
            result.to_revision,
            len(applied),
            round(seconds, 3),
            database_url.database,
        ),
        pushgateway_url,
        metrics_textfile,
    )
    return result


def _confirmed_at_head(database_url: sa.URL, code: CodeRevisions, lock_timeout: float, report: RunReport) -> bool:
    """The upgrade's own steps when there is nothing to apply, without loading Alembic: take the lock,
    read the revision again under it, refuse a half-applied revision. False when the database is no
    longer at head under the lock (another runner moved it), and Alembic must then do the upgrade."""
    # Two connections, as for an upgrade: the lock is held on one of its own.
    with connected(database_url, pool_size=2, max_overflow=2) as connection:
        lock = migration_lock(connection.engine)
        waited_from = time.monotonic()
        with lock.held(lock_timeout):
            report.operation = "upgrade"
            report.lock_wait_seconds = time.monotonic() - waited_from
            bookkeeping = lock.bookkeeping
            history.ensure_table(bookkeeping)
            heads = read_heads(connection)
            report.heads_at_lock = heads
            # Said by the same logger as when Alembic runs, so that the Job's log reads the same.
            alembic_env.log.info(
                "under the lock the database is at %s; this code's head is %s",
                ",".join(heads) or "base (empty)",
                ",".join(code.heads),
                extra={"fields": {"event": "migration_current", "current": list(heads), "head": list(code.heads)}},
            )
            open_rows = history.open_started(bookkeeping)
            if open_rows:
                raise half_applied_error(open_rows, connection.dialect.name, heads)
            if heads != code.heads:
                return False
            report.heads_after = heads
            return True


def log_error(exc: BaseException) -> ExitCode:
    """Log a failure as the operator needs to read it; returns its exit code."""
    from alembic.util import CommandError

    if isinstance(exc, MigrationError):
        text = exc.message + (f"\n{exc.details}" if exc.details else "")
        log.error(
            text,
            extra={
                "fields": {
                    "event": "migration_error",
                    "exit_code": int(exc.exit_code),
                    "retryable": exc.exit_code in RETRYABLE,
                }
            },
        )
        return exc.exit_code
    if isinstance(exc, CommandError):  # Alembic's own: an unknown revision, a bad range
        log.error("%s", exc, extra={"fields": {"event": "migration_error", "exit_code": int(ExitCode.USAGE)}})
        return ExitCode.USAGE
    log.error(
        "unexpected error: %s: %s",
        type(exc).__name__,
        exc,
        exc_info=exc,
        extra={"fields": {"event": "migration_error", "exit_code": int(ExitCode.UNEXPECTED)}},
    )
    return ExitCode.UNEXPECTED


def log_summary(result: MigrateResult) -> None:
    outcome = "success" if result.exit_code == ExitCode.OK else "failed"
    fields = {
        "event": "migration_summary",
        "outcome": outcome,
        "from": result.from_revision,
        "to": result.to_revision,
        "applied": len(result.applied),
        "revisions": result.applied,
        "seconds": round(result.seconds, 3),
        "exit_code": int(result.exit_code),
    }
    log.log(
        logging.INFO if outcome == "success" else logging.ERROR,
        "migration summary: outcome=%s from=%s to=%s applied=%d seconds=%.2f exit_code=%d",
        outcome,
        result.from_revision or "base",
        result.to_revision or "base",
        len(result.applied),
        result.seconds,
        int(result.exit_code),
        extra={"fields": fields},
    )
