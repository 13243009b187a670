"""Alembic environment: the app's settings, its metadata, batch mode on SQLite, the migration lock."""

from __future__ import annotations

from alembic import context

from chores_tracker.db import migration_env

migration_env.run(context)
