"""Wait until the database accepts an authenticated connection and answers a query.

An open TCP port proves little: the server may still be starting, the user may not exist yet, the
database may not be created. So each attempt logs in and runs SELECT 1, and a failed attempt says
which of those failed.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import URL
from sqlalchemy.pool import NullPool

from chores_tracker.db.engine import make_engine
from chores_tracker.db.urls import mask_url
from chores_tracker.migrations.exit_codes import DatabaseUnreachable
from chores_tracker.observability.logs import mask_secrets

log = logging.getLogger("chores_tracker.db.wait")

FIRST_DELAY_SECONDS = 0.5
MAX_DELAY_SECONDS = 5.0
MAX_CONNECT_TIMEOUT_SECONDS = 5

# (what failed, patterns in the driver's message or error code)
_CAUSES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "name lookup failed",
        (
            r"could not translate host name",
            r"name or service not known",
            r"nodename nor servname",
            r"temporary failure in name resolution",
            r"name does not resolve",
            r"no address associated",
            r"unknown mysql server host",
            r"errno -[235]\]",
            r"getaddrinfo",
        ),
    ),
    ("connection refused", (r"connection refused", r"errno 111\]", r"actively refused")),
    (
        "authentication failed",
        (
            r"password authentication failed",
            r"authentication failed",
            r"access denied for user",
            r"no password supplied",
            r"role .* does not exist",
            r"pg_hba\.conf",
        ),
    ),
    ("database does not exist", (r"database .* does not exist", r"unknown database")),
    ("timed out", (r"timeout expired", r"timed out", r"errno 110\]")),
    (
        "connection lost",
        (
            r"server closed the connection",
            r"lost connection",
            r"connection reset",
            r"broken pipe",
            r"errno 104\]",
            r"consuming input failed",
        ),
    ),
    ("cannot open the database file", (r"unable to open database file",)),
)
_MYSQL_CODES = {1045: "authentication failed", 1049: "database does not exist", 2005: "name lookup failed"}
_PG_SQLSTATES = {
    "28P01": "authentication failed",
    "28000": "authentication failed",
    "3D000": "database does not exist",
    "57P03": "the server is starting up",
}


def describe_connection_error(exc: BaseException) -> tuple[str, str]:
    """(what failed, the driver's message masked and on one line)."""
    orig = getattr(exc, "orig", None) or exc
    text = " ".join(str(orig).split())
    sqlstate = getattr(orig, "sqlstate", None)
    if sqlstate in _PG_SQLSTATES:
        return _PG_SQLSTATES[sqlstate], mask_secrets(text)
    args = getattr(orig, "args", ())
    if args and isinstance(args[0], int) and args[0] in _MYSQL_CODES:
        return _MYSQL_CODES[args[0]], mask_secrets(text)
    lowered = text.lower()
    for cause, patterns in _CAUSES:
        if any(re.search(pattern, lowered) for pattern in patterns):
            return cause, mask_secrets(text)
    return "connection failed", mask_secrets(text)


@contextmanager
def connected(url: URL, **engine_options: Any) -> Iterator[sa.Connection]:
    """A connection on an engine of its own, disposed after; or DatabaseUnreachable saying what failed."""
    engine = make_engine(url, **engine_options)
    try:
        try:
            connection = engine.connect()
        except sa.exc.DBAPIError as exc:
            cause, text = describe_connection_error(exc)
            raise DatabaseUnreachable(f"cannot connect to {mask_url(url)}: {cause}: {text}") from None
        with connection:
            yield connection
    finally:
        engine.dispose()


def _probe_engine(url: URL, connect_timeout: int) -> sa.Engine:
    connect_args: dict[str, int] = {}
    if url.get_backend_name() == "sqlite":
        connect_args = {"timeout": connect_timeout}
    else:
        connect_args = {"connect_timeout": connect_timeout}
    return sa.create_engine(url, poolclass=NullPool, connect_args=connect_args)


def try_connect(url: URL, connect_timeout: int = MAX_CONNECT_TIMEOUT_SECONDS) -> None:
    """One attempt: log in and SELECT 1. Raises DatabaseUnreachable saying what failed."""
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        from pathlib import Path

        Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = _probe_engine(url, connect_timeout)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:
        cause, text = describe_connection_error(exc)
        raise DatabaseUnreachable(f"{cause}: {text}") from None
    finally:
        engine.dispose()


def wait_for_database(url: URL, timeout: float) -> int:
    """Retry with backoff until the database answers or `timeout` seconds pass; returns the attempts made."""
    started = time.monotonic()
    deadline = started + max(timeout, 0.0)
    delay = FIRST_DELAY_SECONDS
    attempt = 0
    while True:
        attempt += 1
        remaining = deadline - time.monotonic()
        connect_timeout = max(1, min(MAX_CONNECT_TIMEOUT_SECONDS, int(remaining) if remaining >= 1 else 1))
        try:
            try_connect(url, connect_timeout)
        except DatabaseUnreachable as exc:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise DatabaseUnreachable(
                    f"database {mask_url(url)} not reachable after {attempt} attempts in {time.monotonic() - started:.0f}s; "
                    f"last error: {exc.message} (exit code 3 is safe to retry)"
                ) from None
            pause = min(delay, remaining)
            log.warning(
                "database not ready (attempt %d): %s; retrying in %.1fs (%.0fs left)",
                attempt,
                exc.message,
                pause,
                remaining,
                extra={"fields": {"event": "database_wait", "attempt": attempt, "cause": exc.message.split(":", 1)[0]}},
            )
            time.sleep(pause)
            delay = min(delay * 2, MAX_DELAY_SECONDS)
            continue
        log.info(
            "database %s answered (attempt %d, %.1fs)",
            mask_url(url),
            attempt,
            time.monotonic() - started,
            extra={"fields": {"event": "database_ready", "attempt": attempt}},
        )
        return attempt
