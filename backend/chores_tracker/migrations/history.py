"""The schema history: every revision the runner applied, when, how long, by whom, from which file.

Alembic's version table keeps one row and no past. This table, beside it, keeps a row per step.
It is managed here, not in the models: it is the runner's record, outside the application schema,
so drift checks ignore it.

Statuses:
  started   written (and, where DDL is not transactional, committed) before the step runs;
            a row left "started" means the step may be half-applied and a person must look
  applied   the step finished; written in the same transaction as the version table update
  failed    the step failed and nothing of it remains (rolled back, or no statement had run)
  resolved  a "started" row closed by `db stamp`, the operator's statement of the true state
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine.interfaces import DBAPICursor

from chores_tracker import __version__, clock
from chores_tracker.migrations.exit_codes import MigrationFailed
from chores_tracker.migrations.runner_identity import RunnerIdentity, current_identity
from chores_tracker.observability.logs import mask_secrets

log = logging.getLogger("chores_tracker.db.history")

HISTORY_TABLE = "schema_history"
VERSION_TABLE = "alembic_version"
RUNNER_TABLES = frozenset({HISTORY_TABLE, VERSION_TABLE})

_metadata = sa.MetaData()
schema_history = sa.Table(
    HISTORY_TABLE,
    _metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("revision", sa.String(64), nullable=False),
    sa.Column("down_revision", sa.String(255), nullable=True),
    sa.Column("operation", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),
    sa.Column("duration_ms", sa.Integer, nullable=True),
    sa.Column("host", sa.String(255), nullable=True),
    sa.Column("job", sa.String(255), nullable=True),
    sa.Column("script", sa.String(255), nullable=True),
    sa.Column("checksum", sa.String(64), nullable=True),
    sa.Column("app_version", sa.String(32), nullable=True),
    sa.Column("error", sa.Text, nullable=True),
    sa.Index("ix_schema_history_revision", "revision"),
)


def _now() -> datetime:
    """The app's clock as this table keeps it, naive UTC. How long a step took is measured apart
    (a monotonic clock, in milliseconds: duration_ms), so it keeps its fraction of a second."""
    return clock.now().replace(tzinfo=None)


def file_checksum(path: str | Path) -> str:
    """SHA-256 of the file, line endings normalized (a checkout on Windows is not an edit)."""
    return hashlib.sha256(Path(path).read_bytes().replace(b"\r\n", b"\n")).hexdigest()


def ensure_table(connection: sa.Connection) -> None:
    schema_history.create(connection, checkfirst=True)
    if connection.in_transaction():
        connection.commit()


def table_exists(connection: sa.Connection) -> bool:
    return sa.inspect(connection).has_table(HISTORY_TABLE)


def version_heads(connection: sa.Connection) -> tuple[str, ...]:
    """The database's revision(s), as Alembic reads its version table, without loading Alembic's
    runtime (readiness and the migration Job at head need nothing else from it)."""
    if not sa.inspect(connection).has_table(VERSION_TABLE):
        return ()
    version = sa.table(VERSION_TABLE, sa.column("version_num"))
    return tuple(sorted(str(value) for value in connection.scalars(sa.select(version.c.version_num))))


@dataclass(frozen=True)
class HistoryRow:
    id: int
    revision: str
    down_revision: str | None
    operation: str
    status: str
    started_at: datetime
    finished_at: datetime | None
    duration_ms: int | None
    host: str | None
    job: str | None
    script: str | None
    checksum: str | None
    error: str | None

    @property
    def who(self) -> str:
        parts = [f"job {self.job}" if self.job else "", f"host {self.host}" if self.host else ""]
        return ", ".join(part for part in parts if part) or "an unknown runner"

    @property
    def down_revisions(self) -> tuple[str, ...]:
        return tuple(part for part in (self.down_revision or "").split(",") if part)


def _rows(
    connection: sa.Connection, where: Any = None, limit: int | None = None, newest_first: bool = False
) -> list[HistoryRow]:
    table = schema_history
    query = sa.select(
        table.c.id,
        table.c.revision,
        table.c.down_revision,
        table.c.operation,
        table.c.status,
        table.c.started_at,
        table.c.finished_at,
        table.c.duration_ms,
        table.c.host,
        table.c.job,
        table.c.script,
        table.c.checksum,
        table.c.error,
    )
    if where is not None:
        query = query.where(where)
    query = query.order_by(table.c.id.desc() if newest_first else table.c.id)
    if limit:
        query = query.limit(limit)
    return [HistoryRow(**row._mapping) for row in connection.execute(query)]


def all_rows(connection: sa.Connection, limit: int | None = None) -> list[HistoryRow]:
    """Newest first."""
    if not table_exists(connection):
        return []
    return _rows(connection, limit=limit, newest_first=True)


def open_started(connection: sa.Connection) -> list[HistoryRow]:
    if not table_exists(connection):
        return []
    return _rows(connection, schema_history.c.status == "started")


def resolve_open(connection: sa.Connection, note: str) -> list[str]:
    """Close every "started" row: a stamp states what the schema really is."""
    rows = open_started(connection)
    for row in rows:
        connection.execute(
            schema_history.update()
            .where(schema_history.c.id == row.id)
            .values(status="resolved", error=((row.error + "\n") if row.error else "") + note, finished_at=_now())
        )
    if connection.in_transaction():
        connection.commit()
    return [row.revision for row in rows]


def recorded_parents(connection: sa.Connection) -> dict[str, tuple[str, ...]]:
    """revision -> its down revisions, as recorded when applied (lets old code place newer revisions)."""
    if not table_exists(connection):
        return {}
    parents: dict[str, tuple[str, ...]] = {}
    query = sa.select(schema_history.c.revision, schema_history.c.down_revision).where(
        schema_history.c.operation == "upgrade", schema_history.c.status == "applied"
    )
    for revision, down in connection.execute(query):
        parents[revision] = tuple(part for part in (down or "").split(",") if part)
    return parents


def latest_applied_upgrades(connection: sa.Connection) -> dict[str, HistoryRow]:
    """For each revision whose last successful step was an upgrade, that row."""
    if not table_exists(connection):
        return {}
    latest: dict[str, HistoryRow] = {}
    for row in _rows(connection, schema_history.c.status == "applied"):
        latest[row.revision] = row
    return {revision: row for revision, row in latest.items() if row.operation == "upgrade"}


# -- recording while Alembic runs the steps ------------------------------------------------------

# Statements that outlive a rollback where DDL is not transactional (on MySQL they also commit
# whatever the transaction had done before them). DML alone is rolled back with the step.
_DDL_PREFIXES = ("CREATE", "ALTER", "DROP", "RENAME", "TRUNCATE", "COMMENT")


@dataclass
class _CurrentStep:
    revision: str
    operation: str
    row_id: int | None
    started: float
    writes: int = 0


@dataclass
class HistoryRecorder:
    """Wraps Alembic's steps to write "started" before each and "applied" after it.

    On PostgreSQL (transactional DDL) both rows live in the step's own transaction, so a failed or
    killed step leaves nothing behind but a "failed" note. On MySQL/MariaDB and SQLite, DDL commits
    as it goes, so "started" is committed first on the bookkeeping connection: if the step then
    fails after changing something, the row stays "started" and the next run refuses to continue.
    """

    bookkeeping: sa.Connection
    migration: sa.Connection
    transactional_ddl: bool
    identity: RunnerIdentity = field(default_factory=current_identity)
    applied: list[str] = field(default_factory=list)
    _current: _CurrentStep | None = None
    _failure: tuple[Any, _CurrentStep, BaseException] | None = None

    def __post_init__(self) -> None:
        sa.event.listen(self.migration, "after_cursor_execute", self._count_write)

    def close(self) -> None:
        sa.event.remove(self.migration, "after_cursor_execute", self._count_write)

    def _count_write(self, _conn: sa.Connection, _cursor: DBAPICursor, statement: str, *_args: Any) -> None:
        if self._current is not None and statement.lstrip().upper().startswith(_DDL_PREFIXES):
            self._current.writes += 1

    def wrap(self, steps_fn: Callable[..., Iterable[Any]]) -> Callable[..., list[Any]]:
        def steps(heads: Any, context: Any) -> list[Any]:
            return [_RecordedStep(step, self) for step in steps_fn(heads, context)]

        return steps

    def _values(self, script: Any, operation: str, status: str) -> dict[str, Any]:
        path = getattr(script, "path", None)
        down = script.down_revision
        return {
            "revision": script.revision,
            "down_revision": ",".join(down) if isinstance(down, (tuple, list)) else down,
            "operation": operation,
            "status": status,
            "started_at": _now(),
            "host": self.identity.host,
            "job": self.identity.job,
            "script": Path(path).name if path else None,
            "checksum": file_checksum(path) if path else None,
            "app_version": __version__,
        }

    def run_step(self, step: Any, kwargs: dict[str, Any]) -> None:
        from alembic.runtime.migration import StampStep

        if isinstance(step, StampStep):
            step.migration_fn(**kwargs)
            return
        script = step.revision
        operation = "upgrade" if step.is_upgrade else "downgrade"
        values = self._values(script, operation, "started")
        target = self.migration if self.transactional_ddl else self.bookkeeping
        # An INSERT's result always holds the new row's key; SQLAlchemy types it as optional.
        row_id = target.execute(schema_history.insert().values(**values)).inserted_primary_key[0]  # type: ignore[index]
        self._current = _CurrentStep(script.revision, operation, row_id, time.monotonic())
        try:
            step.migration_fn(**kwargs)
        except Exception as exc:
            current, self._current = self._current, None
            # Recorded by record_failure() once Alembic has rolled the step's transaction back.
            self._failure = (script, current, exc)
            where = Path(script.path).name if getattr(script, "path", None) else script.revision
            raise MigrationFailed(
                f"{operation} of revision {script.revision} ({where}) failed: {_describe(exc)}",
                revision=script.revision,
            ) from exc

    def record_failure(self) -> None:
        """Note the failed step in the history; call after the step's transaction has ended."""
        if self._failure is None:
            return
        (script, current, exc), self._failure = self._failure, None
        error = mask_secrets(_describe(exc))[:4000]
        duration = int((time.monotonic() - current.started) * 1000)
        try:
            if self.transactional_ddl:
                # The step's transaction (with its "started" row) is rolled back: note the attempt.
                values = self._values(script, current.operation, "failed")
                values.update(finished_at=_now(), duration_ms=duration, error=error)
                self.bookkeeping.execute(schema_history.insert().values(**values))
            else:
                status = "started" if current.writes else "failed"
                self.bookkeeping.execute(
                    schema_history.update()
                    .where(schema_history.c.id == current.row_id)
                    .values(status=status, finished_at=_now(), duration_ms=duration, error=error)
                )
                if current.writes:
                    log.error(
                        "revision %s changed the schema before failing and %s has no transactional DDL: "
                        "it is left half-applied and marked 'started'",
                        current.revision,
                        self.migration.dialect.name,
                    )
        except Exception as record_exc:  # the migration error matters more than its record
            log.warning("could not record the failure in %s: %s", HISTORY_TABLE, mask_secrets(_describe(record_exc)))

    def on_version_apply(self, ctx: Any, step: Any, heads: Any, run_args: Any) -> None:
        if step.is_stamp:
            targets = step.up_revision_ids if step.is_upgrade else step.down_revision_ids
            script_dir = ctx.script
            for revision in targets or ("base",):
                script = script_dir.get_revision(revision) if script_dir is not None and revision != "base" else None
                values = (
                    self._values(script, "stamp", "applied")
                    if script is not None
                    else {
                        "revision": revision,
                        "operation": "stamp",
                        "status": "applied",
                        "started_at": _now(),
                        "host": self.identity.host,
                        "job": self.identity.job,
                        "app_version": __version__,
                    }
                )
                values.update(finished_at=_now(), duration_ms=0)
                self.migration.execute(schema_history.insert().values(**values))
            return
        current, self._current = self._current, None
        if current is None:
            return
        self.migration.execute(
            schema_history.update()
            .where(schema_history.c.id == current.row_id)
            .values(status="applied", finished_at=_now(), duration_ms=int((time.monotonic() - current.started) * 1000))
        )
        if current.operation == "upgrade":
            self.applied.append(current.revision)
        log.info(
            "%s %s done in %.2fs",
            current.operation,
            current.revision,
            time.monotonic() - current.started,
            extra={"fields": {"event": "migration_step", "revision": current.revision, "operation": current.operation}},
        )


class _RecordedStep:
    """An Alembic migration step whose migration_fn goes through the recorder."""

    def __init__(self, step: Any, recorder: HistoryRecorder) -> None:
        self._step = step
        self._recorder = recorder

    def migration_fn(self, **kwargs: Any) -> None:
        self._recorder.run_step(self._step, kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._step, name)

    def __str__(self) -> str:
        return str(self._step)

    def __repr__(self) -> str:
        return repr(self._step)


def _describe(exc: BaseException) -> str:
    """The database's own words, not SQLAlchemy's wrapper with its SQL and URL of the docs."""
    orig = getattr(exc, "orig", None)
    text = str(orig) if orig is not None else str(exc)
    text = " ".join(text.split())
    return f"{type(orig or exc).__name__}: {text}"[:2000]
