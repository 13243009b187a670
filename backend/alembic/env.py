"""Alembic environment: the app's settings, its metadata, batch mode on SQLite, the migration lock."""

from __future__ import annotations

from alembic import context

from chores_tracker.migrations import alembic_env

alembic_env.run(context)
