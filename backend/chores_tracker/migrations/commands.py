"""`chores-tracker db ...`: the migration commands.

Exit codes (the same for migrate-entrypoint.sh; only 3 and 4 are worth retrying as they are):
  0 success / at head            5 a migration failed            10 status: revisions pending
  1 unexpected error             6 half-applied revision found   11 status: ahead of this code,
  2 usage, settings, or --yes    7 verification failed               unknown revision, several heads
    missing                      8 check: models and database differ
  3 database unreachable
  4 migration lock timeout
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import typer

from chores_tracker.db.urls import mask_url
from chores_tracker.migrations import runner
from chores_tracker.migrations.config import MigrationSettings, migration_settings_or_exit
from chores_tracker.migrations.exit_codes import ExitCode, Refused
from chores_tracker.migrations.log_format import configure_logging
from chores_tracker.observability.logs import register_secret

log = logging.getLogger("chores_tracker.db.cli")

db_app = typer.Typer(
    help="Database schema: wait, status, upgrade under a lock, verify.",
    epilog="Exit codes: 0 ok, 1 unexpected, 2 usage/settings/--yes missing, 3 database unreachable (retry), "
    "4 lock timeout (retry), 5 migration failed, 6 half-applied revision, 7 verification failed, 8 drift, "
    "10 status behind, 11 status ahead/unknown/several heads, 12 verify-totals found totals that disagree.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)

LockTimeoutOption = typer.Option(
    None, "--lock-timeout", help="seconds to wait for the migration lock [default: MIGRATION_LOCK_TIMEOUT_SECONDS]"
)
DdlTimeoutOption = typer.Option(
    None,
    "--ddl-lock-timeout",
    help="seconds one DDL statement may wait for a table lock [default: MIGRATION_DDL_LOCK_TIMEOUT_SECONDS]",
)


def _settings() -> MigrationSettings:
    settings = migration_settings_or_exit()
    configure_logging(settings.json_logs, settings.log_level)
    # Driver errors can quote the password away from its URL, where URL masking cannot see it.
    register_secret(settings.url.password)
    return settings


def _exit_codes(command: Callable[..., Any]) -> Callable[..., Any]:
    """Every failure becomes one masked log line and its documented exit code, never a traceback dump."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BrokenPipeError:  # `... | head` closed the pipe: nothing left to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            raise typer.Exit(0) from None
        except Exception as exc:
            raise typer.Exit(int(runner.log_error(exc))) from None

    return wrapper


def _show(heads: tuple[str, ...] | None) -> str:
    return ",".join(heads) if heads else "base (empty)"


@db_app.command()
@_exit_codes
def wait(
    timeout: float | None = typer.Option(None, help="seconds to keep trying [default: DB_WAIT_TIMEOUT_SECONDS]"),
) -> None:
    """Wait until the database accepts a login and answers a query (exit 3 when it never does)."""
    settings = _settings()
    from chores_tracker.migrations.wait import wait_for_database

    wait_for_database(settings.url, settings.db_wait_timeout_seconds if timeout is None else timeout)


@db_app.command()
@_exit_codes
def current() -> None:
    """Print the database's revision(s), marked against this code's head."""
    settings = _settings()
    code = runner.code_revisions()
    heads = runner.current_heads(settings.url)
    if not heads:
        log.info("the database has no revision (empty, or never migrated)")
    for head in heads:
        if head in code.heads:
            note = "head"
        elif head in code.parents:
            note = f"behind head {','.join(code.heads)}"
        else:
            note = "unknown to this code"
        typer.echo(f"{head} ({note})")


@db_app.command()
@_exit_codes
def heads() -> None:
    """Print this code's head revision(s); needs no database."""
    code = runner.code_revisions()
    for head in code.heads:
        typer.echo(f"{code.describe(head).replace(head, head + ' (head)', 1)}")


@db_app.command()
@_exit_codes
def history(
    applied: bool = typer.Option(False, "--applied", help="what the database's schema history recorded, newest first"),
    limit: int = typer.Option(50, help="rows to show with --applied"),
    verbose: bool = typer.Option(False, "--verbose", "-v"),
) -> None:
    """List this code's revisions, or (--applied) every step the database recorded."""
    settings = _settings()
    if not applied:
        from alembic import command

        command.history(runner.alembic_config(settings.url), verbose=verbose)
        return
    from chores_tracker.migrations import history as schema_history

    with runner.connect(settings.url) as connection:
        rows = schema_history.all_rows(connection, limit=limit)
    if not rows:
        log.info("no schema history recorded in this database")
    for row in rows:
        duration = f"{row.duration_ms / 1000:.2f}s" if row.duration_ms is not None else "-"
        typer.echo(
            f"{row.started_at:%Y-%m-%d %H:%M:%S}Z  {row.operation:<9} {row.revision:<14} {row.status:<8} {duration:>8}  "
            f"{row.who}  {row.script or ''}"
            + (f"  sha256:{row.checksum[:12]}" if verbose and row.checksum else "")
            + (f"\n    error: {row.error}" if verbose and row.error else "")
        )


@db_app.command()
@_exit_codes
def status(json_output: bool = typer.Option(False, "--json", help="one JSON object on stdout")) -> None:
    """The database against this code's head: exit 0 at head, 10 behind, 11 ahead/unknown/several heads, 6 half-applied."""
    settings = _settings()
    report = runner.status(settings.url)
    for edited in report.edited:
        log.warning(
            "revision %s (%s) has changed since it was applied at %s UTC by %s: never edit an applied migration; "
            "put the change in a new revision (and restore the file from version control)",
            edited.revision,
            edited.script,
            f"{edited.applied.started_at:%Y-%m-%d %H:%M:%S}",
            edited.applied.who,
            extra={"fields": {"event": "edited_revision", "revision": edited.revision, "file": edited.script}},
        )
    if report.half_applied:
        from chores_tracker.migrations.alembic_env import half_applied_error

        error = half_applied_error(report.half_applied, settings.url.get_backend_name(), report.state.current)
        log.error("%s\n%s", error.message, error.recovery)
    if not report.history_present:
        log.warning("this database has no schema history yet; the next upgrade creates it")
    if json_output:
        typer.echo(json.dumps(report.as_dict()))
    else:
        state = report.state
        lines = [
            f"database: {report.database}",
            f"current:  {_show(state.current)}",
            f"head:     {','.join(state.expected)}",
            f"state:    {state.kind.replace('_', ' ')}",
        ]
        if state.pending:
            lines.append(
                "pending:  " + "\n          ".join(report.code.describe(revision) for revision in state.pending)
            )
        if report.half_applied:
            lines.append("half-applied: " + ", ".join(row.revision for row in report.half_applied))
        if report.edited:
            lines.append("edited since applied: " + ", ".join(f"{e.revision} ({e.script})" for e in report.edited))
        lines.extend(
            f"last step: {row.operation} {row.revision} {row.status} at {row.started_at:%Y-%m-%d %H:%M:%S}Z by {row.who}"
            for row in report.last_runs[:1]
        )
        typer.echo("\n".join(lines))
    raise typer.Exit(int(report.exit_code))


def _summarize(report: Any, started: float, before: tuple[str, ...] | None) -> None:
    runner.log_summary(
        runner.MigrateResult(
            ExitCode.OK,
            ",".join(report.heads_at_lock or before or ()) or None,
            ",".join(report.heads_after or ()) or None,
            list(report.applied),
            time.monotonic() - started,
        )
    )


@db_app.command(context_settings={"ignore_unknown_options": True})
@_exit_codes
def upgrade(
    revision: str = typer.Argument("head", help="target revision"),
    lock_timeout: float | None = LockTimeoutOption,
    ddl_lock_timeout: float | None = DdlTimeoutOption,
) -> None:
    """Upgrade the database to REVISION (default: head) under the migration lock."""
    settings = _settings()
    started = time.monotonic()
    report = runner.upgrade(
        settings.url,
        revision,
        lock_timeout=settings.migration_lock_timeout_seconds if lock_timeout is None else lock_timeout,
        ddl_lock_timeout=settings.migration_ddl_lock_timeout_seconds if ddl_lock_timeout is None else ddl_lock_timeout,
    )
    _summarize(report, started, None)


def _destructive(operation: str, revision: str, yes: bool, lock_timeout: float | None, explanation: str) -> None:
    settings = _settings()
    url = settings.url
    before = runner.current_heads(url)
    if not yes:
        raise Refused(
            f"refusing to {operation} {mask_url(url)} from {_show(before)} to {revision} without --yes: {explanation}"
        )
    log.info("before %s: the database is at %s", operation, _show(before))
    report = getattr(runner, operation)(
        url,
        revision,
        lock_timeout=settings.migration_lock_timeout_seconds if lock_timeout is None else lock_timeout,
        ddl_lock_timeout=settings.migration_ddl_lock_timeout_seconds,
    )
    log.info(
        "after %s: the database is at %s",
        operation,
        _show(report.heads_after),
        extra={
            "fields": {
                "event": f"migration_{operation}",
                "before": list(before),
                "after": list(report.heads_after or ()),
            }
        },
    )


# "-1" is a revision, not an option.
@db_app.command(context_settings={"ignore_unknown_options": True})
@_exit_codes
def downgrade(
    revision: str = typer.Argument(..., help="target revision (e.g. -1, a revision id, or base)"),
    yes: bool = typer.Option(False, "--yes", help="really change the schema"),
    lock_timeout: float | None = LockTimeoutOption,
) -> None:
    """Downgrade to REVISION under the migration lock (refuses without --yes; prints before and after)."""
    _destructive(
        "downgrade",
        revision,
        yes,
        lock_timeout,
        "a downgrade can drop columns and tables with their data; take a backup first",
    )


@db_app.command()
@_exit_codes
def stamp(
    revision: str = typer.Argument(..., help="revision to record (e.g. head, a revision id, or base)"),
    yes: bool = typer.Option(False, "--yes", help="really rewrite the version table"),
    lock_timeout: float | None = LockTimeoutOption,
) -> None:
    """Record REVISION as the database's revision without running anything (refuses without --yes).

    Also marks any half-applied revision as resolved: you state what the schema really is."""
    _destructive(
        "stamp",
        revision,
        yes,
        lock_timeout,
        "a stamp only rewrites the version table; if the schema does not match REVISION, "
        "later migrations fail or corrupt data",
    )


@db_app.command()
@_exit_codes
def check() -> None:
    """Compare the models with the database; exit 8 and list the differences when they drift."""
    settings = _settings()
    differences = runner.drift(settings.url)
    for difference in differences:
        typer.echo(runner.describe_difference(difference))
    if differences:
        log.error(
            "the database and the models differ in %d place(s): a revision is missing or the database was changed by hand",
            len(differences),
        )
        raise typer.Exit(int(ExitCode.DRIFT))
    log.info("no drift: the database matches the models")


@db_app.command()
@_exit_codes
def sql(
    target: str = typer.Argument("head", help="revision to upgrade to"),
    from_revision: str | None = typer.Option(
        None, "--from", help="start here instead of at the database's revision (no connection needed)"
    ),
) -> None:
    """Print the SQL an upgrade would run, for review; changes nothing."""
    settings = _settings()
    text = runner.offline_sql(settings.url, target, from_revision)
    typer.echo(text, nl=False)


@db_app.command()
@_exit_codes
def migrate(
    timeout: float | None = typer.Option(
        None, help="seconds to wait for the database [default: DB_WAIT_TIMEOUT_SECONDS]"
    ),
    lock_timeout: float | None = LockTimeoutOption,
    ddl_lock_timeout: float | None = DdlTimeoutOption,
) -> None:
    """What the migration Job runs: wait, show current and head, upgrade under the lock, verify, summary."""
    settings = _settings()
    result = runner.migrate(
        settings.url,
        wait_timeout=settings.db_wait_timeout_seconds if timeout is None else timeout,
        lock_timeout=settings.migration_lock_timeout_seconds if lock_timeout is None else lock_timeout,
        ddl_lock_timeout=settings.migration_ddl_lock_timeout_seconds if ddl_lock_timeout is None else ddl_lock_timeout,
        pushgateway_url=settings.pushgateway_url,
        metrics_textfile=settings.migration_metrics_textfile,
    )
    raise typer.Exit(int(result.exit_code))


def _money(cents: int) -> str:
    from chores_tracker.money import from_cents_or_zero

    return f"{from_cents_or_zero(cents):.2f}"


@db_app.command("verify-totals")
@_exit_codes
def verify_totals(
    fix: bool = typer.Option(False, "--fix", help="rewrite the totals that disagree from the ledger, then trust them"),
) -> None:
    """Recompute every child's running totals (child_totals) from the ledger; exit 12 with a line per
    child when any disagree. --fix rewrites those and removes the marker that keeps the reads on the
    ledger during a rolling update from a release before 0031 (run it once the rollout is over)."""
    import chores_tracker.db.models  # noqa: F401 (every model mapped, as the app has them)
    from chores_tracker.db.engine import make_engine, make_session_factory
    from chores_tracker.ledger.service import verify_totals as verify

    settings = _settings()
    engine = make_engine(settings.url)
    try:
        with make_session_factory(engine)() as session:
            result = verify(session, fix=fix)
    finally:
        engine.dispose()
    for found in result.disagreements:
        kept, ledger = found.kept, found.ledger
        typer.echo(
            f"child {found.child_id}: kept earned {_money(kept.earned_cents)} ({kept.earned_count}), "
            f"adjustments {_money(kept.adjustments_cents)}, paid out {_money(kept.paid_out_cents)}; "
            f"ledger earned {_money(ledger.earned_cents)} ({ledger.earned_count}), "
            f"adjustments {_money(ledger.adjustments_cents)}, paid out {_money(ledger.paid_out_cents)}"
            + (": fixed" if result.fixed else "")
        )
    if result.fixed:
        log.info(
            "running totals of %d child(ren) checked, %d rewritten; the reads use them",
            result.checked,
            len(result.disagreements),
        )
        return
    if result.disagreements:
        log.error(
            "the running totals of %d of %d child(ren) disagree with the ledger; `db verify-totals --fix` rewrites them",
            len(result.disagreements),
            result.checked,
        )
        raise typer.Exit(int(ExitCode.TOTALS_DISAGREE))
    log.info(
        "running totals of %d child(ren) agree with the ledger%s",
        result.checked,
        "; the reads still add up the ledger until `db verify-totals --fix` is run after a rolling update"
        if result.unverified
        else "",
    )
