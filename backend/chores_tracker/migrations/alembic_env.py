"""What backend/alembic/env.py runs, so `python -m alembic ...` and `chores-tracker db ...` share one path.

Every command that changes the schema (upgrade, downgrade, stamp) takes the migration lock on its
own connection first, then sets a short DDL lock timeout on the migration connection, reads the
current revision again (another runner may have done the work meanwhile), refuses to go on over a
half-applied revision, and records each step in the schema history.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from chores_tracker.migrations import history
from chores_tracker.migrations.exit_codes import HalfApplied, MigrationError, MigrationFailed, VerificationFailed
from chores_tracker.migrations.history import RUNNER_TABLES, HistoryRecorder, HistoryRow
from chores_tracker.migrations.lock import migration_lock, set_ddl_lock_timeout
from chores_tracker.migrations.revisions import CodeRevisions, classify

log = logging.getLogger("chores_tracker.db.migrate")

MUTATING_OPERATIONS = frozenset({"upgrade", "downgrade", "stamp", "ensure_version"})
# Names of the step functions alembic.command passes, for callers that use alembic.command directly.
_STEP_FUNCTIONS = {
    "upgrade": "upgrade",
    "downgrade": "downgrade",
    "do_stamp": "stamp",
    "do_ensure_version": "ensure_version",
}


@dataclass
class RunReport:
    """What one run did; filled in here, read by the runner for its summary."""

    operation: str | None = None
    heads_at_lock: tuple[str, ...] | None = None
    heads_after: tuple[str, ...] | None = None
    applied: list[str] = field(default_factory=list)
    lock_wait_seconds: float = 0.0
    skipped: str | None = None
    resolved: list[str] = field(default_factory=list)


def database_url(config: Any) -> sa.URL:
    """The runner hands its URL over in config attributes; run by plain `alembic`, the tool's settings decide."""
    url: sa.URL | None = config.attributes.get("database_url")
    if url is None:
        from chores_tracker.migrations.config import migration_settings

        url = migration_settings().url
    return url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    from chores_tracker.db.base import UTCDateTime

    # Revisions stay free of app types: the UTC decorator is stored as a plain DATETIME.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """The runner's own tables are not part of the application schema."""
    if type_ == "table" and name in RUNNER_TABLES:
        return False
    table = getattr(obj, "table", None)
    return getattr(table, "name", None) not in RUNNER_TABLES


_NOW_SPELLINGS = {"now()", "current_timestamp", "current_timestamp()", "(current_timestamp)", "localtimestamp"}
_PG_CAST = re.compile(r"::[a-z ]+(\(\d+\))?$", re.IGNORECASE)
_BOOL_SPELLINGS = {"0": "false", "1": "true", "'0'": "false", "'1'": "true", "false": "false", "true": "true"}


def _normalize_default(sql: str | None) -> str | None:
    if sql is None:
        return None
    # PostgreSQL reflects a text default with its cast: 'UTC'::character varying.
    text = _PG_CAST.sub("", sql.strip()).strip("'\"").lower()
    if text in _NOW_SPELLINGS or text.startswith("current_timestamp"):
        return "now"
    return _BOOL_SPELLINGS.get(text, text)


def compare_server_default(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_default: str | None,
    metadata_default: Any,
    rendered_metadata_default: str | None,
) -> bool | None:
    """Each database spells now() and booleans its own way; compare meanings, not spellings."""
    if rendered_metadata_default is None or inspected_default is None:
        return None
    return _normalize_default(inspected_default) != _normalize_default(rendered_metadata_default)


def configure_kwargs(backend: str) -> dict[str, Any]:
    # The models are loaded only when Alembic runs: a migration Job at head never needs them.
    from chores_tracker.db.models import Base

    return {
        "target_metadata": Base.metadata,
        "render_as_batch": backend == "sqlite",
        "compare_type": True,
        "compare_server_default": compare_server_default,
        "render_item": render_item,
        "include_object": include_object,
        "transaction_per_migration": True,
    }


def run(context: Any) -> None:
    try:
        _run(context)
    except MigrationError as exc:
        if context.config.attributes.get("database_url") is not None:
            raise  # the runner's: it logs the error and exits with its code
        from alembic.util import CommandError

        # Plain `python -m alembic` prints a CommandError as one FAILED line, not a traceback.
        raise CommandError(str(exc)) from exc


def _run(context: Any) -> None:
    from chores_tracker.migrations.log_format import configure_logging_from_settings, logging_configured

    config = context.config
    if not logging_configured() and not config.attributes.get("quiet_logging"):
        configure_logging_from_settings()
    if context.is_offline_mode():
        url = database_url(config)
        backend = url.get_backend_name()
        context.configure(
            url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **configure_kwargs(backend)
        )
        with context.begin_transaction():
            context.run_migrations()
        return

    connection = config.attributes.get("connection")
    if connection is not None:
        _run_online(context, connection.engine, connection)
        return

    from chores_tracker.migrations.wait import connected

    # Two connections: the migration lock is taken on one of its own.
    with connected(database_url(config), pool_size=2, max_overflow=2) as connection:
        _run_online(context, connection.engine, connection)


def _operation(config: Any, opts: dict[str, Any]) -> str | None:
    explicit: str | None = config.attributes.get("operation")
    if explicit:
        return explicit
    cmd = getattr(config.cmd_opts, "cmd", None)
    if cmd:
        return getattr(cmd[0], "__name__", None)
    return _STEP_FUNCTIONS.get(getattr(opts.get("fn"), "__name__", ""))


def _setting(config: Any, name: str) -> float:
    value = config.attributes.get(name)
    if value is None:
        from chores_tracker.migrations.config import migration_settings

        value = getattr(
            migration_settings(),
            {
                "lock_timeout": "migration_lock_timeout_seconds",
                "ddl_lock_timeout": "migration_ddl_lock_timeout_seconds",
            }[name],
        )
    return float(value)


def read_heads(connection: sa.Connection) -> tuple[str, ...]:
    heads = history.version_heads(connection)
    if connection.in_transaction():
        connection.commit()
    return heads


def _run_online(context: Any, engine: sa.Engine, connection: sa.Connection) -> None:
    config = context.config
    report: RunReport = config.attributes.setdefault("report", RunReport())
    kwargs = configure_kwargs(connection.dialect.name)
    context.configure(connection=connection, **kwargs)
    opts = context.get_context().opts
    operation = _operation(config, opts)
    report.operation = operation
    if operation not in MUTATING_OPERATIONS or opts.get("dont_mutate"):
        with context.begin_transaction():
            context.run_migrations()
        return

    lock = migration_lock(engine)
    waited_from = time.monotonic()
    with lock.held(_setting(config, "lock_timeout")):
        report.lock_wait_seconds = time.monotonic() - waited_from
        bookkeeping = lock.bookkeeping
        history.ensure_table(bookkeeping)
        set_ddl_lock_timeout(connection, _setting(config, "ddl_lock_timeout"))
        # Read again under the lock: another runner may have finished the work while we waited.
        heads = read_heads(connection)
        report.heads_at_lock = heads
        code = CodeRevisions.from_script_directory(context.script)
        log.info(
            "under the lock the database is at %s; this code's head is %s",
            ",".join(heads) or "base (empty)",
            ",".join(code.heads),
            extra={"fields": {"event": "migration_current", "current": list(heads), "head": list(code.heads)}},
        )
        if operation != "stamp":
            open_rows = history.open_started(bookkeeping)
            if open_rows:
                raise half_applied_error(open_rows, connection.dialect.name, heads)
        if operation == "upgrade" and any(head not in code.parents for head in heads):
            # A revision this code does not know: newer (fine, expand/contract) or foreign (stop).
            state = classify(code, heads, history.recorded_parents(bookkeeping))
            if state.kind == "ahead":
                log.info(
                    "the database (%s) is ahead of this code (%s) and already contains it: nothing to do",
                    state.current_text,
                    state.expected_text,
                )
                report.skipped = "ahead"
                report.heads_after = heads
                return
            if state.kind in ("unknown", "several_heads"):
                raise VerificationFailed(
                    f"the database is at {state.current_text}, which this code (head {state.expected_text}) does not "
                    "know, and the schema history does not link it to this code's head: is this the right database "
                    "and the right image? See `chores-tracker db status`"
                )
        recorder = HistoryRecorder(bookkeeping, connection, context.get_impl().transactional_ddl)
        try:
            context.configure(
                connection=connection,
                fn=recorder.wrap(opts["fn"]),
                on_version_apply=[recorder.on_version_apply],
                **kwargs,
            )
            with context.begin_transaction():
                context.run_migrations()
        except MigrationFailed:
            if connection.in_transaction():
                connection.rollback()
            recorder.record_failure()
            raise
        finally:
            recorder.close()
            report.applied.extend(recorder.applied)
        if connection.in_transaction():
            connection.commit()
        if operation == "stamp":
            report.resolved = history.resolve_open(
                bookkeeping, f"resolved by stamp to {context.get_revision_argument()}"
            )
            if report.resolved:
                log.info("marked as resolved: %s", ", ".join(report.resolved))
        report.heads_after = read_heads(connection)


def recovery_steps(row: HistoryRow, backend: str, heads: tuple[str, ...]) -> str:
    previous = ",".join(row.down_revisions) or "base"
    if row.operation == "downgrade":
        finish_target, undo_target = previous, row.revision
    else:
        finish_target, undo_target = row.revision, previous
    at = ",".join(heads) or "base (empty)"
    return "\n".join(
        [
            (
                f"revision {row.revision} ({row.script or 'file unknown'}) was started ({row.operation}) at "
                f"{row.started_at:%Y-%m-%d %H:%M:%S} UTC by {row.who} and did not finish."
            ),
            f"On {backend} DDL is not transactional, so part of it may be applied. The version table says {at}.",
            f"Last error: {row.error or 'none recorded (the runner was killed?)'}",
            "To recover (with the application's writes to the affected tables paused if you can):",
            f"  1. See what the revision does: chores-tracker db sql --from {previous} {row.revision}",
            "     and compare it with the database (SHOW CREATE TABLE / \\d) to see which statements ran.",
            f"  2a. Either finish it by hand (run the statements that did not run), then: chores-tracker db stamp {finish_target} --yes",
            f"  2b. or undo what did run, then: chores-tracker db stamp {undo_target} --yes",
            "      (the stamp records the resolution in the schema history).",
            "  3. Run the migration again: chores-tracker db upgrade (or re-run the migration job).",
        ]
    )


def half_applied_error(rows: list[HistoryRow], backend: str, heads: tuple[str, ...]) -> HalfApplied:
    revisions = [row.revision for row in rows]
    recovery = "\n\n".join(recovery_steps(row, backend, heads) for row in rows)
    return HalfApplied(
        f"refusing to migrate: revision {', '.join(revisions)} was left half-applied by an earlier run; "
        "it needs a person (recovery steps follow)",
        revisions=revisions,
        recovery=recovery,
    )
