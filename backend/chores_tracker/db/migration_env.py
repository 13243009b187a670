"""What backend/alembic/env.py runs. Kept in the package so the runner and env.py share one code path."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from chores_tracker.db.base import UTCDateTime
from chores_tracker.db.models import Base
from chores_tracker.db.urls import normalize_database_url


def database_url(config: Any) -> str:
    """The runner passes its URL in config attributes; otherwise the app's settings decide."""
    url = config.attributes.get("database_url")
    if url is None:
        from chores_tracker.settings import get_settings

        url = get_settings().resolved_database_url
    return normalize_database_url(url).render_as_string(hide_password=False)


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    # Revisions stay free of app types: the UTC decorator is stored as a plain DATETIME.
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime()"
    return False


_NOW_SPELLINGS = {"now()", "current_timestamp", "current_timestamp()", "(current_timestamp)", "localtimestamp"}
_BOOL_SPELLINGS = {"0": "false", "1": "true", "'0'": "false", "'1'": "true", "false": "false", "true": "true"}


def _normalize_default(sql: str | None) -> str | None:
    if sql is None:
        return None
    text = sql.strip().strip("'\"").lower()
    if text in _NOW_SPELLINGS or text.startswith("current_timestamp"):
        return "now"
    return _BOOL_SPELLINGS.get(text, text)


def compare_server_default(
    context: Any, inspected_column: Any, metadata_column: Any, inspected_default: str | None,
    metadata_default: Any, rendered_metadata_default: str | None,
) -> bool | None:
    """Each database spells now() and booleans its own way; compare meanings, not spellings."""
    if rendered_metadata_default is None or inspected_default is None:
        return None
    return _normalize_default(inspected_default) != _normalize_default(rendered_metadata_default)


def configure_kwargs(backend: str) -> dict[str, Any]:
    return {
        "target_metadata": Base.metadata,
        "render_as_batch": backend == "sqlite",
        "compare_type": True,
        "compare_server_default": compare_server_default,
        "render_item": render_item,
        "transaction_per_migration": True,
    }


def run(context: Any) -> None:
    config = context.config
    if context.is_offline_mode():
        url = database_url(config)
        backend = sa.engine.make_url(url).get_backend_name()
        context.configure(url=url, literal_binds=True, dialect_opts={"paramstyle": "named"}, **configure_kwargs(backend))
        with context.begin_transaction():
            context.run_migrations()
        return

    connection = config.attributes.get("connection")
    if connection is not None:
        _run_online(context, connection)
        return

    from chores_tracker.db.engine import make_engine

    engine = make_engine(database_url(config))
    try:
        with engine.connect() as connection:
            _run_online(context, connection)
    finally:
        engine.dispose()


def _run_online(context: Any, connection: sa.Connection) -> None:
    context.configure(connection=connection, **configure_kwargs(connection.dialect.name))
    with context.begin_transaction():
        context.run_migrations()
