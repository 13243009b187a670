"""Put a row in every table of whatever schema a revision left, so that revisions run over data.

A revision that passes on empty tables can still fail on real ones (NOT NULL without a default,
a type change, a downgrade that loses a constraint's data). The values come from the reflected
column types, foreign keys point at existing rows, and simple CHECK constraints (`col IN (...)`)
are honoured. A table it cannot fill fails the test with the table's name, so that this file can
learn the new case.
"""

from __future__ import annotations

import datetime as dt
import decimal
import itertools
import re
import uuid
from typing import Any

import sqlalchemy as sa

from chores_tracker.migrations.history import RUNNER_TABLES

_counter = itertools.count(1)


def _check_literals(inspector: sa.Inspector, table: str) -> dict[str, list[str]]:
    try:
        checks = inspector.get_check_constraints(table)
    except NotImplementedError:
        return {}
    literals: dict[str, list[str]] = {}
    for check in checks:
        text = check.get("sqltext") or ""
        values = re.findall(r"'([^']*)'", text)
        for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", text):
            if values:
                literals.setdefault(name, values)
    return literals


def sample_value(column: sa.Column, n: int, literals: dict[str, list[str]]) -> Any:
    kind = column.type
    if isinstance(kind, sa.Enum) and kind.enums:
        return kind.enums[0]
    if column.name in literals and isinstance(kind, sa.String):
        return literals[column.name][0]
    try:
        python_type = kind.python_type
    except NotImplementedError:
        python_type = None
    if python_type is bool:
        return True
    if python_type is int:
        return n
    if python_type is decimal.Decimal:
        return decimal.Decimal(n)
    if python_type is float:
        return float(n)
    if python_type is str:
        length = getattr(kind, "length", None)
        return f"r{n}"[:length] if length else f"row {n}"
    if python_type is dt.datetime:
        return dt.datetime(2026, 1, 1, 12, 0, 0)  # noqa: DTZ001 (a raw row holds naive UTC, as the database does)
    if python_type is dt.date:
        return dt.date(2026, 1, 1)
    if python_type is dt.time:
        return dt.time(12, 0)
    if python_type is dt.timedelta:
        return dt.timedelta(minutes=n)
    if python_type is uuid.UUID:
        return uuid.uuid4()
    if python_type is bytes:
        return b"x"
    if python_type in (dict, list):
        return {}
    raise TypeError(f"no sample value for {column.table.name}.{column.name} ({kind!r}): teach tests/migrations/rows.py")


def _is_generated_key(column: sa.Column, table: sa.Table) -> bool:
    primary = list(table.primary_key.columns)
    return len(primary) == 1 and primary[0] is column and isinstance(column.type, sa.Integer)


def _plainer(table: sa.Table, values: dict[str, Any]) -> dict[str, Any]:
    """The row again with its optional columns empty and its numbers 1 (foreign keys kept)."""
    plainer: dict[str, Any] = {}
    for name, value in values.items():
        column = table.c[name]
        if column.foreign_keys:
            plainer[name] = value
        elif column.nullable:
            plainer[name] = None
        else:
            plainer[name] = 1 if isinstance(value, int) and not isinstance(value, bool) else value
    return plainer


def fill_empty_tables(engine: sa.Engine) -> dict[str, int]:
    """A row in every application table that has none; returns the row count of each.

    One row per table is enough for every later revision to run over data, and keeps unique
    constraints built from foreign keys (one row per pair) satisfiable."""
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        metadata = sa.MetaData()
        metadata.reflect(bind=connection)
        inspector = sa.inspect(connection)
        for table in metadata.sorted_tables:
            if table.name in RUNNER_TABLES:
                continue
            existing = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            if existing:
                counts[table.name] = existing
                continue
            literals = _check_literals(inspector, table.name)
            n = next(_counter)
            values: dict[str, Any] = {}
            for column in table.columns:
                if _is_generated_key(column, table):
                    continue
                foreign = next(iter(column.foreign_keys), None)
                if foreign is not None:
                    target = foreign.column
                    if target.table is table:
                        referenced = None  # self-reference: the first row has nobody to point at
                    else:
                        referenced = connection.execute(sa.select(target).limit(1)).scalar()
                    if referenced is None and not column.nullable:
                        raise AssertionError(f"{table.name}.{column.name} needs a row in {target.table.name} first")
                    values[column.name] = referenced
                    continue
                if column.server_default is not None and not column.nullable:
                    continue
                values[column.name] = sample_value(column, n, literals)
            try:
                with connection.begin_nested():
                    connection.execute(table.insert().values(**values))
            except sa.exc.DBAPIError:
                # Range checks (a weekday 0..6, a minute of the day) refuse the counter: once more with
                # the optional columns empty and the numbers 1.
                values = _plainer(table, values)
                try:
                    with connection.begin_nested():
                        connection.execute(table.insert().values(**values))
                except sa.exc.DBAPIError as exc:
                    raise AssertionError(
                        f"cannot put a row in {table.name} with {values}: {exc.orig}; teach tests/migrations/rows.py"
                    ) from None
            counts[table.name] = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
    return counts
