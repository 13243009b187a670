"""One engine per process and a session per request."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Connection, CursorResult, Engine, Result, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.engine.interfaces import DBAPIConnection, Dialect
from sqlalchemy.exc import DBAPIError, DisconnectionError, InvalidatePoolError
from sqlalchemy.pool import ConnectionPoolEntry, PoolProxiedConnection

from chores_tracker.db.urls import normalize_database_url

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from chores_tracker.db.postgresql import AnswerDeadlineConnection


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@dataclass(frozen=True)
class Timeouts:
    """How long the app lets the database take.

    `statement`: the database cancels a statement that runs longer. `network`: how long to wait
    to connect, and beyond `statement` for an answer; TCP keepalives give up on a peer that went
    silent within about as long.
    """

    statement: float
    network: float

    @property
    def answer(self) -> float:
        return self.statement + self.network


def _with_answer_deadline(
    seconds: float,
) -> Callable[[Dialect, ConnectionPoolEntry, list[Any], dict[str, Any]], AnswerDeadlineConnection]:
    # psycopg is loaded only for a PostgreSQL engine: the SQLite and MySQL ones never need it.
    from chores_tracker.db.postgresql import AnswerDeadlineConnection

    def connect(
        _dialect: Dialect, _record: ConnectionPoolEntry, cargs: list[Any], cparams: dict[str, Any]
    ) -> AnswerDeadlineConnection:
        connection = AnswerDeadlineConnection.connect(*cargs, **cparams)
        connection.answer_timeout = seconds
        return connection

    return connect


def _postgresql_limits(url: URL, timeouts: Timeouts) -> dict[str, object]:
    # Keepalive probes start after a quarter of the network timeout and three go unanswered a
    # quarter apart: a peer gone silent is noticed within about the network timeout.
    probe = max(1, round(timeouts.network / 4))
    options = f"-c statement_timeout={max(1, round(timeouts.statement * 1000))}"
    if url.query.get("options"):
        options = f"{url.query['options']} {options}"
    return {
        "options": options,
        "keepalives": 1,
        "keepalives_idle": probe,
        "keepalives_interval": probe,
        "keepalives_count": 3,
        "tcp_user_timeout": round(timeouts.network * 1000),
    }


def mysql_statement_limit(server_version: str, seconds: float) -> str:
    """The statement limit in the server's own terms: MariaDB's max_statement_time (seconds), or
    MySQL's max_execution_time (milliseconds, reads only; read_timeout bounds the rest)."""
    if "mariadb" in server_version.lower():
        return f"SET SESSION max_statement_time = {seconds:.3f}"
    return f"SET SESSION max_execution_time = {max(1, round(seconds * 1000))}"


def _limit_mysql_statements(seconds: float) -> Callable[[Any, ConnectionPoolEntry], None]:
    # A PyMySQL connection (the app's MySQL driver), which has no type hints.
    def on_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute(mysql_statement_limit(dbapi_connection.get_server_info(), seconds))
        cursor.close()

    return on_connect


# A connection back in the pool for less than this is handed out again without a ping first.
# Under load every checkout finds one returned moments ago, and its ping (a round trip, the
# pre-ping's cost on every request) would only repeat what the last request just showed; a
# connection that died since (a database restart) fails its next statement, and that error
# invalidates the whole pool (SQLAlchemy does on any disconnect), so one request at most sees it.
PING_AFTER_IDLE_SECONDS = 1.0
_IDLE_SINCE = "chores_tracker.idle_since"


def _note_idle(_dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry) -> None:
    record.info[_IDLE_SINCE] = time.monotonic()


def _ping_if_idle(dialect: Dialect) -> Callable[[DBAPIConnection, ConnectionPoolEntry, PoolProxiedConnection], None]:
    """The pre-ping, for connections that sat in the pool (a new one was just shown to work)."""

    def on_checkout(
        dbapi_connection: DBAPIConnection, record: ConnectionPoolEntry, _proxy: PoolProxiedConnection
    ) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            # As SQLAlchemy's own pre-ping: the pool replaces this connection (a lost server: all of
            # them) and hands out a new one.
            if dialect.is_disconnect(exc, dbapi_connection, None):
                raise InvalidatePoolError from exc
            raise DisconnectionError from exc

    return on_checkout


def make_engine(
    raw_url: str | URL,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_recycle: int = 1800,
    pool_timeout: float = 30,
    connect_timeout: int = 10,
    timeouts: Timeouts | None = None,
) -> Engine:
    """An engine and its pool. `timeouts` are for the app: the migration runner leaves them unset,
    since its statements may rightly run long (it has its own lock and DDL timeouts)."""
    url = normalize_database_url(raw_url)
    backend = url.get_backend_name()
    kwargs: dict[str, Any] = {"future": True}
    # SQL parameters stay out of error messages and logs (they may hold password hashes, codes).
    kwargs["hide_parameters"] = True
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
        # In whole seconds, as libpq reads it.
        connect_args: dict[str, Any] = {"connect_timeout": math.ceil(timeouts.network) if timeouts else connect_timeout}
        if backend == "mysql":
            # MySQL closes idle connections after wait_timeout; recycle before it does.
            kwargs["pool_recycle"] = pool_recycle
            kwargs["isolation_level"] = "READ COMMITTED"
            if timeouts:
                connect_args.update(read_timeout=timeouts.answer, write_timeout=timeouts.network)
        elif timeouts:
            connect_args.update(_postgresql_limits(url, timeouts))
        kwargs["connect_args"] = connect_args
    engine = create_engine(url, **kwargs)
    event.listen(engine, "checkin", _note_idle)
    event.listen(engine, "checkout", _ping_if_idle(engine.dialect))
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    elif timeouts and backend == "mysql":
        event.listen(engine, "connect", _limit_mysql_statements(timeouts.statement))
    elif timeouts:
        event.listen(engine, "do_connect", _with_answer_deadline(timeouts.answer))
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions for the app, the CLI and the time step alike; each bumps the revision of every family
    it writes to (db.revisions)."""
    from sqlalchemy.orm import sessionmaker  # here: the migration Job at head needs no ORM

    from chores_tracker.db import revisions

    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)
    revisions.watch(factory)
    return factory


def close_session(session: Session) -> None:
    """Close a session even when the database went away under it.

    Closing rolls back on the connection; if that connection is dead, the rollback fails. The
    answer has been decided by then, so the connection is discarded (the pool opens a new one
    when the database is back) instead of turning a finished request into an error.
    """
    try:
        session.close()
    except DBAPIError:
        session.invalidate()


def rows_changed(result: Result[Any]) -> int:
    """The rows a conditional UPDATE (or a DELETE) changed. Session.execute types every result as a
    Result; for these statements it is a CursorResult, which counts them."""
    return cast(CursorResult[Any], result).rowcount


def _outside_a_transaction(dialect: Dialect) -> dict[str, str]:
    """The execution options of a connection that only reads: on PostgreSQL, autocommit (no BEGIN
    before its statements, no ROLLBACK when it is returned: two of the three round trips of a
    one-statement read; each statement sees what was committed when it began, as it does inside a
    transaction at the READ COMMITTED level the app runs with). Elsewhere none: on MySQL switching
    is itself a round trip."""
    return {"isolation_level": "AUTOCOMMIT"} if dialect.name == "postgresql" else {}


def reading_connection(engine: Engine) -> Connection:
    """A connection for reads only (_outside_a_transaction)."""
    return engine.connect().execution_options(**_outside_a_transaction(engine.dialect))


def read_outside_a_transaction(session: Session) -> None:
    """For a session that only reads (_outside_a_transaction). Call it before the first statement."""
    session.connection(execution_options=_outside_a_transaction(session.get_bind().dialect))
