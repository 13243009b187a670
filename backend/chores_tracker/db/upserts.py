"""One INSERT that, where its row's unique key is taken already, updates that row or leaves it be:
each database says it its own way (PostgreSQL and SQLite ON CONFLICT, MySQL/MariaDB ON DUPLICATE KEY)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Insert, Table
from sqlalchemy.sql.expression import ColumnCollection

# The columns of the row that was to be inserted (PostgreSQL's `excluded`, MySQL's `inserted`) -> the
# taken row's new values, as SQL expressions.
SetFromNew = Callable[[ColumnCollection[str, Any]], dict[str, ColumnElement[Any]]]


def insert_or_update(
    table: Table, dialect: str, key: Sequence[str], values: dict[str, Any] | None = None, set_: SetFromNew | None = None
) -> Insert:
    """The INSERT into `table` (of `values`, or of the parameters given at execution) for the database
    `dialect` names: where a row with the same `key` (a unique key of the table) exists, `set_(new)`
    updates it; without `set_`, the row stays as it is and nothing is written. On MySQL/MariaDB any
    unique key of the table conflicts, not only `key`: callers name a table's only one."""
    if dialect in ("mysql", "mariadb"):
        from sqlalchemy.dialects.mysql import insert as mysql_insert

        mysql_statement = mysql_insert(table).values(values) if values else mysql_insert(table)
        # Without anything to set, the key's first column set to itself: the row stays as it is.
        wanted = set_(mysql_statement.inserted) if set_ else {key[0]: table.c[key[0]]}
        return mysql_statement.on_duplicate_key_update(wanted)
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert  # type: ignore[assignment]
    statement = dialect_insert(table).values(values) if values else dialect_insert(table)
    if set_ is None:
        return statement.on_conflict_do_nothing(index_elements=list(key))
    return statement.on_conflict_do_update(index_elements=list(key), set_=set_(statement.excluded))
