"""A table lock held from outside the app, so that a request reading the table waits on it."""

from __future__ import annotations

import sqlalchemy as sa

from tests.support.databases import TestDatabase

# What a session waiting on such a lock shows in the server's list of sessions.
_WAITING = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE datname = :db AND wait_event_type = 'Lock'",
    "mysql": "SELECT count(*) FROM information_schema.processlist WHERE db = :db AND state LIKE 'Waiting for table%'",
}


class TableLock:
    """An exclusive lock on a table (PostgreSQL or MariaDB/MySQL) until release()."""

    def __init__(self, database: TestDatabase, table: str = "users") -> None:
        self.backend = database.backend
        self.database = database.url.database
        self.engine = sa.create_engine(database.url)
        self.connection = self.engine.connect()
        self.transaction = self.connection.begin()
        if self.backend == "postgresql":
            self.connection.execute(sa.text(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE"))
        else:
            self.connection.execute(sa.text(f"LOCK TABLES {table} WRITE"))

    def request_is_waiting(self) -> bool:
        with self.engine.connect() as watcher:
            return watcher.execute(sa.text(_WAITING[self.backend]), {"db": self.database}).scalar_one() > 0

    def release(self) -> None:
        if self.transaction.is_active:
            if self.backend == "mysql":
                self.connection.execute(sa.text("UNLOCK TABLES"))
            self.transaction.rollback()
        self.connection.close()
        self.engine.dispose()
