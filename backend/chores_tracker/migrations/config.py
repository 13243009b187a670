"""The settings the migration runner reads.

The runner needs the database URL and its own knobs, not the web app's secrets: a migration Job
given only DATABASE_URL must work in production, so the web app's start-up checks are not applied.
"""

from __future__ import annotations

import sys
from functools import lru_cache

from pydantic import ValidationError

from chores_tracker.settings import Settings


class MigrationSettings(Settings):
    def _production_needs_a_real_secret(self) -> "MigrationSettings":  # type: ignore[override]
        return self


@lru_cache
def migration_settings() -> MigrationSettings:
    return MigrationSettings()


def migration_settings_or_exit() -> MigrationSettings:
    try:
        return migration_settings()
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error.get("loc", ())) or "settings"
            message = error.get("msg", "invalid").removeprefix("Value error, ")
            print(f"configuration error: {field.upper()}: {message}", file=sys.stderr)
        raise SystemExit(2) from None
