"""What can go wrong when changing the schema, and the exit code each outcome has.

The codes are part of the interface: the migration Job, docker compose and scripts act on them.
Only DATABASE_UNREACHABLE and LOCK_TIMEOUT are worth retrying as they are; every other failure
needs a person to look (retrying a failed or half-applied migration repeats the failure).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    UNEXPECTED = 1
    USAGE = 2  # bad arguments or settings, or a destructive command without --yes
    DATABASE_UNREACHABLE = 3  # retry: the database may come up
    LOCK_TIMEOUT = 4  # retry: another runner held the migration lock for too long
    MIGRATION_FAILED = 5  # a revision failed; nothing after it ran
    HALF_APPLIED = 6  # a revision was left "started" earlier: a person must repair it first
    VERIFICATION_FAILED = 7  # the database is not at a revision this code can serve
    DRIFT = 8  # `db check`: models and database differ
    STATUS_BEHIND = 10  # `db status`: revisions are pending
    STATUS_UNKNOWN = 11  # `db status`: ahead of this code, unknown to it, or several heads
    TOTALS_DISAGREE = 12  # `db verify-totals`: a child's running totals differ from its ledger


RETRYABLE = frozenset({ExitCode.DATABASE_UNREACHABLE, ExitCode.LOCK_TIMEOUT})


class MigrationError(Exception):
    """A failure with its exit code. Not an Alembic CommandError, so that the migration Job at head
    never imports Alembic; alembic_env turns it into one for plain `python -m alembic`."""

    exit_code = ExitCode.UNEXPECTED

    def __init__(self, message: str, *, details: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class DatabaseUnreachable(MigrationError):
    exit_code = ExitCode.DATABASE_UNREACHABLE


class LockTimeout(MigrationError):
    exit_code = ExitCode.LOCK_TIMEOUT


class MigrationFailed(MigrationError):
    exit_code = ExitCode.MIGRATION_FAILED

    def __init__(self, message: str, *, revision: str, details: str | None = None) -> None:
        super().__init__(message, details=details)
        self.revision = revision


class HalfApplied(MigrationError):
    exit_code = ExitCode.HALF_APPLIED

    def __init__(self, message: str, *, revisions: list[str], recovery: str) -> None:
        super().__init__(message, details=recovery)
        self.revisions = revisions
        self.recovery = recovery


class VerificationFailed(MigrationError):
    exit_code = ExitCode.VERIFICATION_FAILED


class Refused(MigrationError):
    exit_code = ExitCode.USAGE
