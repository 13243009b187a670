"""The settings the migration tool reads.

Its own small class, not the web app's: a migration Job given only DATABASE_URL must work in
production, so the app's secrets are not among them and nothing has to switch their checks off.
Where the database is and how to log are read as the app reads them (CommonSettings).
"""

from __future__ import annotations

from functools import cached_property, lru_cache
from pathlib import Path

from pydantic import Field
from sqlalchemy.engine import URL

from chores_tracker.db.urls import normalize_database_url
from chores_tracker.settings import CommonSettings, settings_or_exit


class MigrationSettings(CommonSettings):
    # How long the runner waits for the database and for the migration lock, and how long one
    # DDL statement may wait for a table lock once the migration lock is held.
    db_wait_timeout_seconds: float = Field(default=60, ge=0)
    migration_lock_timeout_seconds: float = Field(default=120, ge=0)
    migration_ddl_lock_timeout_seconds: float = Field(default=10, gt=0)

    # Where a run reports its outcome (a Job is gone before anything could scrape it).
    pushgateway_url: str | None = None
    migration_metrics_textfile: Path | None = None

    @cached_property
    def url(self) -> URL:
        """DATABASE_URL normalized, once: the tool passes this object on, never a string with the password."""
        return normalize_database_url(self.resolved_database_url)


@lru_cache
def migration_settings() -> MigrationSettings:
    return MigrationSettings()


def migration_settings_or_exit() -> MigrationSettings:
    return settings_or_exit(migration_settings)
