"""DATABASE_URL is normalized once and reaches Alembic as a URL object, never as a string with the password."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.config import Config

from chores_tracker.db.urls import normalize_database_url
from chores_tracker.migrations import alembic_env, runner
from chores_tracker.migrations.config import migration_settings

PASSWORD = "s3cret-pa55"


def test_the_runner_hands_alembic_the_url_object():
    url = normalize_database_url(f"postgresql://app:{PASSWORD}@db.example:5432/chores")
    config = runner.alembic_config(url)
    handed_over = config.attributes["database_url"]
    assert isinstance(handed_over, sa.URL) and handed_over == url
    assert PASSWORD not in repr(config.attributes)


def test_run_by_plain_alembic_the_environment_takes_the_normalized_url_from_the_settings(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"mysql+aiomysql://app:{PASSWORD}@db.example/chores")
    migration_settings.cache_clear()
    try:
        url = alembic_env.database_url(Config())
    finally:
        migration_settings.cache_clear()
    assert isinstance(url, sa.URL)
    assert (url.drivername, url.password, url.query["charset"]) == ("mysql+pymysql", PASSWORD, "utf8mb4")
