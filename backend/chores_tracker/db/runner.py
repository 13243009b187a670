"""The migration runner: the only code that changes the schema."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from chores_tracker.db.urls import normalize_database_url


def alembic_ini_path() -> Path:
    override = os.environ.get("CHORES_TRACKER_ALEMBIC_INI")
    if override:
        return Path(override)
    # backend/chores_tracker/db/runner.py -> backend/alembic.ini
    return Path(__file__).resolve().parents[2] / "alembic.ini"


def alembic_config(database_url: str) -> Config:
    config = Config(str(alembic_ini_path()))
    config.attributes["database_url"] = normalize_database_url(database_url).render_as_string(hide_password=False)
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)
