"""The migration lock: one runner at a time changes the schema, whoever started it.

A session-scoped lock held on its own connection for the whole run: `pg_advisory_lock` on
PostgreSQL, `GET_LOCK` on MySQL/MariaDB, an exclusive file lock beside the database on SQLite.
The database releases it when the session ends, so a runner that dies never leaves it behind
(PostgreSQL is also told to probe the connection, so a vanished pod is noticed within a minute).
Waiting is bounded, and every wait says who holds the lock as far as the database can tell.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from chores_tracker import clock
from chores_tracker.migrations.exit_codes import LockTimeout
from chores_tracker.migrations.runner_identity import RunnerIdentity, current_identity

log = logging.getLogger("chores_tracker.db.lock")

# Logged while waiting, so that a stuck deploy shows progress and the holder in its log.
WAIT_LOG_INTERVAL_SECONDS = 10.0

# One key for the whole application; advisory locks are per database on PostgreSQL.
_PG_LOCK_KEY = int.from_bytes(hashlib.sha256(b"chores-tracker:migrations").digest()[:4], "big") & 0x7FFFFFFF


class MigrationLock:
    """Base class: acquire with a deadline, describe the holder, release."""

    kind = "lock"

    def __init__(self, engine: sa.Engine, identity: RunnerIdentity | None = None) -> None:
        self.engine = engine
        self.identity = identity or current_identity()
        self.connection: sa.Connection | None = None
        self.waited_seconds = 0.0

    # -- what each backend provides ------------------------------------------------------------
    def describe(self) -> str:
        raise NotImplementedError

    def _open(self) -> None:
        raise NotImplementedError

    def _try_acquire(self) -> bool:
        raise NotImplementedError

    def _acquire_within(self, seconds: float) -> bool:
        raise NotImplementedError

    def _release(self) -> None:
        raise NotImplementedError

    def holder(self) -> str:
        return "another session"

    # -- the shared protocol -------------------------------------------------------------------
    @property
    def bookkeeping(self) -> sa.Connection:
        """An autocommit connection for records that must survive a failed migration step."""
        assert self.connection is not None, "the lock is not held"
        return self.connection

    def acquire(self, timeout: float) -> None:
        started = time.monotonic()
        deadline = started + max(timeout, 0.0)
        self._open()
        try:
            if self._try_acquire():
                log.info("took the migration lock (%s)", self.describe())
                return
            last_log = None
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise LockTimeout(
                        f"gave up waiting for the migration lock after {timeout:g}s: it is held by {self.holder()}. "
                        "Another migration is probably running; retry when it has finished "
                        "(exit code 4 is safe to retry)"
                    )
                now = time.monotonic()
                if last_log is None or now - last_log >= WAIT_LOG_INTERVAL_SECONDS:
                    log.info(
                        "waiting for the migration lock (%s), held by %s; giving up in %.0fs",
                        self.describe(),
                        self.holder(),
                        remaining,
                        extra={"fields": {"event": "migration_lock_wait", "seconds_left": round(remaining, 1)}},
                    )
                    last_log = now
                if self._acquire_within(min(remaining, WAIT_LOG_INTERVAL_SECONDS)):
                    break
            self.waited_seconds = time.monotonic() - started
            log.info("took the migration lock after waiting %.1fs", self.waited_seconds)
        except BaseException:
            self._close()
            raise

    def release(self) -> None:
        try:
            self._release()
        except Exception as exc:  # the session ending releases it anyway
            log.warning("could not release the migration lock cleanly (%s); closing its connection", type(exc).__name__)
        finally:
            self._close()

    def _close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None

    @contextmanager
    def held(self, timeout: float) -> Iterator[MigrationLock]:
        self.acquire(timeout)
        try:
            yield self
        finally:
            self.release()

    def _autocommit_connection(self) -> sa.Connection:
        return self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")


class PostgresLock(MigrationLock):
    kind = "postgresql advisory lock"

    def describe(self) -> str:
        return f"pg_advisory_lock({_PG_LOCK_KEY}) on database {self.engine.url.database}"

    def _open(self) -> None:
        self.connection = self._autocommit_connection()
        name = f"chores-tracker migrate {self.identity.describe()}"[:63]
        self.connection.execute(sa.text("SELECT set_config('application_name', :name, false)"), {"name": name})
        # If the runner's pod vanishes without closing the socket, the server notices within a minute
        # and ends the session, which releases the lock.
        for setting, value in (
            ("tcp_keepalives_idle", 30),
            ("tcp_keepalives_interval", 10),
            ("tcp_keepalives_count", 3),
        ):
            self.connection.execute(sa.text(f"SET {setting} = {int(value)}"))

    def _try_acquire(self) -> bool:
        assert self.connection is not None
        return bool(
            self.connection.execute(sa.text("SELECT pg_try_advisory_lock(:key)"), {"key": _PG_LOCK_KEY}).scalar()
        )

    def _acquire_within(self, seconds: float) -> bool:
        assert self.connection is not None
        self.connection.execute(sa.text(f"SET lock_timeout = {max(1, int(seconds * 1000))}"))
        try:
            self.connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": _PG_LOCK_KEY})
            return True
        except DBAPIError as exc:
            if getattr(exc.orig, "sqlstate", None) == "55P03":  # lock_not_available
                return False
            raise
        finally:
            self.connection.execute(sa.text("SET lock_timeout = 0"))

    def _release(self) -> None:
        if self.connection is not None:
            self.connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_LOCK_KEY})

    def holder(self) -> str:
        assert self.connection is not None
        try:
            row = self.connection.execute(
                sa.text(
                    """
                    SELECT a.pid, a.usename, a.application_name, host(a.client_addr) AS client,
                           a.backend_start, a.state
                    FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                    WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0
                      AND l.objid::bigint = :key AND l.objsubid = 1
                      AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
                    """
                ),
                {"key": _PG_LOCK_KEY},
            ).first()
        except DBAPIError:
            return "another session (pg_stat_activity is not readable)"
        if row is None:
            return "another session (it may have just released it)"
        since = row.backend_start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if row.backend_start else "?"
        parts = [f"pid {row.pid}", f"user {row.usename}"]
        if row.application_name:
            parts.append(f"application '{row.application_name}'")
        if row.client:
            parts.append(f"from {row.client}")
        parts.append(f"connected since {since}, {row.state or 'unknown state'}")
        return ", ".join(parts) + f" (end it with SELECT pg_terminate_backend({row.pid}) if it is stale)"


class MySQLLock(MigrationLock):
    kind = "GET_LOCK"

    @property
    def name(self) -> str:
        # GET_LOCK names are server-wide, so the database name is part of it (at most 64 characters).
        database = self.engine.url.database or ""
        name = f"chores_tracker.migrate.{database}"
        if len(name) > 64:
            name = "chores_tracker.migrate." + hashlib.sha256(database.encode()).hexdigest()[:32]
        return name

    def describe(self) -> str:
        return f"GET_LOCK('{self.name}')"

    def _open(self) -> None:
        self.connection = self._autocommit_connection()

    def _get_lock(self, seconds: int) -> bool:
        assert self.connection is not None
        result = self.connection.execute(
            sa.text("SELECT GET_LOCK(:name, :seconds)"), {"name": self.name, "seconds": seconds}
        ).scalar()
        if result is None:
            raise RuntimeError(f"GET_LOCK('{self.name}') failed")
        return bool(result)

    def _try_acquire(self) -> bool:
        return self._get_lock(0)

    def _acquire_within(self, seconds: float) -> bool:
        return self._get_lock(max(1, math.ceil(seconds)))

    def _release(self) -> None:
        if self.connection is not None:
            self.connection.execute(sa.text("SELECT RELEASE_LOCK(:name)"), {"name": self.name})

    def holder(self) -> str:
        assert self.connection is not None
        try:
            holder_id = self.connection.execute(sa.text("SELECT IS_USED_LOCK(:name)"), {"name": self.name}).scalar()
            if holder_id is None:
                return "another session (it may have just released it)"
            row = self.connection.execute(
                sa.text(
                    "SELECT USER, HOST, DB, COMMAND, TIME, STATE FROM information_schema.PROCESSLIST WHERE ID = :id"
                ),
                {"id": holder_id},
            ).first()
        except DBAPIError:
            return "another session (the process list is not readable)"
        if row is None:
            return f"connection {holder_id} (end it with KILL {holder_id} if it is stale)"
        return (
            f"connection {holder_id}, {row.USER}@{row.HOST}, {row.COMMAND} for {row.TIME}s"
            f"{', ' + row.STATE if row.STATE else ''} (end it with KILL {holder_id} if it is stale)"
        )


class SQLiteLock(MigrationLock):
    """An exclusive lock on a file beside the database; SQLite has no session locks of its own."""

    kind = "file lock"
    POLL_SECONDS = 0.1

    def __init__(self, engine: sa.Engine, identity: RunnerIdentity | None = None) -> None:
        super().__init__(engine, identity)
        database = engine.url.database
        self.path = Path(f"{database}.migration-lock") if database and database != ":memory:" else None
        self._fd: int | None = None

    def describe(self) -> str:
        return f"exclusive lock on {self.path}" if self.path else "in-memory database, no lock needed"

    def _open(self) -> None:
        self.connection = self._autocommit_connection()
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)

    def _try_acquire(self) -> bool:
        import fcntl

        if self._fd is None:
            return True
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        since = clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")
        os.ftruncate(self._fd, 0)
        os.pwrite(self._fd, f"{self.identity.describe()} since {since}\n".encode(), 0)
        return True

    def _acquire_within(self, seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while True:
            if self._try_acquire():
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(self.POLL_SECONDS)

    def _release(self) -> None:
        import fcntl

        if self._fd is not None:
            os.ftruncate(self._fd, 0)
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _close(self) -> None:
        try:
            super()._close()
        finally:
            if self._fd is not None:
                os.close(self._fd)
                self._fd = None

    def holder(self) -> str:
        try:
            text = self.path.read_text().strip() if self.path else ""
        except OSError:
            text = ""
        return f"the process {text}" if text else "another process"


def migration_lock(engine: sa.Engine) -> MigrationLock:
    backend = engine.dialect.name
    if backend == "postgresql":
        return PostgresLock(engine)
    if backend in ("mysql", "mariadb"):
        return MySQLLock(engine)
    if backend == "sqlite":
        return SQLiteLock(engine)
    raise ValueError(f"no migration lock for {backend}")


def set_ddl_lock_timeout(connection: sa.Connection, seconds: float) -> None:
    """DDL waits only briefly for table locks, so a long transaction elsewhere fails the step
    instead of queueing every application query behind it."""
    backend = connection.dialect.name
    if backend == "postgresql":
        connection.execute(sa.text(f"SET lock_timeout = {max(1, int(seconds * 1000))}"))
    elif backend in ("mysql", "mariadb"):
        whole = max(1, math.ceil(seconds))
        connection.execute(sa.text(f"SET SESSION lock_wait_timeout = {whole}"))
        connection.execute(sa.text(f"SET SESSION innodb_lock_wait_timeout = {whole}"))
    elif backend == "sqlite":
        connection.execute(sa.text(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}"))
    connection.commit()
