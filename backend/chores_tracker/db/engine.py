"""One engine per process and a session per request."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker.db.urls import normalize_database_url


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


def make_engine(
    raw_url: str | URL,
    *,
    pool_size: int = 5,
    max_overflow: int = 10,
    pool_recycle: int = 1800,
    pool_timeout: float = 30,
    connect_timeout: int = 10,
) -> Engine:
    url = normalize_database_url(raw_url)
    backend = url.get_backend_name()
    kwargs: dict = {"pool_pre_ping": True, "future": True}
    # SQL parameters stay out of error messages and logs (they may hold password hashes, codes).
    kwargs["hide_parameters"] = True
    if backend == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
            kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 10}
    else:
        kwargs.update(pool_size=pool_size, max_overflow=max_overflow, pool_timeout=pool_timeout)
        kwargs["connect_args"] = {"connect_timeout": connect_timeout}
        if backend == "mysql":
            # MySQL closes idle connections after wait_timeout; recycle before it does.
            kwargs["pool_recycle"] = pool_recycle
            kwargs["isolation_level"] = "READ COMMITTED"
    engine = create_engine(url, **kwargs)
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


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
