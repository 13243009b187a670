"""`chores-tracker db ...`: the migration commands."""

from __future__ import annotations

import typer

from chores_tracker.db import runner
from chores_tracker.settings import load_settings_or_exit

db_app = typer.Typer(help="Database schema: wait, status, upgrade under a lock, verify.", no_args_is_help=True)


@db_app.command()
def upgrade(revision: str = typer.Argument("head", help="target revision")) -> None:
    """Upgrade the database to REVISION (default: head)."""
    settings = load_settings_or_exit()
    runner.upgrade(settings.resolved_database_url, revision)
