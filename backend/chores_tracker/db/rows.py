"""New rows written at once, with one Core INSERT, instead of by the unit of work at the next flush.

The hottest writes (a completion, its approval: bench/reads.py's cycle) add a few rows each; the
ORM's flush of them (change tracking, dependency sorting, the insert's bookkeeping) cost more of the
server's time than the INSERTs themselves. `insert_now` runs the INSERT through the session (so the
transaction, its events and the family's revision see it as any write), then attaches the object as
if it had been loaded: callers keep using it as the ORM row it is.
"""

from __future__ import annotations

from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, Insert, Table, insert, inspect
from sqlalchemy.orm import Mapper, Session, make_transient_to_detached

from chores_tracker.db.revisions import note_family

RowT = TypeVar("RowT")


@cache
def _insert_into(table: Table) -> Insert:
    return insert(table)


def _column_values(mapper: Mapper[Any], row: object) -> dict[str, Any]:
    """The row's column values by column key: those it was given, Python-side defaults evaluated,
    and None for the nullable columns nobody set, so that nothing is left to load after the INSERT."""
    given = vars(row)
    values: dict[str, Any] = {}
    for prop in mapper.column_attrs:
        column = prop.columns[0]
        default = column.default
        if prop.key in given:
            values[column.key] = given[prop.key]
            continue
        if column.primary_key:
            continue
        if default is not None and default.is_scalar:
            value = default.arg
        elif default is not None and default.is_callable:
            value = default.arg(None)  # SQLAlchemy wraps a function of no arguments: it needs no context
        elif default is not None or column.server_default is not None:
            continue  # the database's: the attribute is read back when first used
        else:
            value = None
        values[column.key] = value
        setattr(row, prop.key, value)
    return values


def insert_now(session: Session, row: RowT) -> RowT:
    """Writes a new (transient) ORM row with one INSERT in the session's transaction and attaches it
    with its primary key, persistent, as if read back. Its family (a `family_id` column) is noted for
    the revision bump before the write (db.revisions). Only for rows of one table with a single
    generated primary key."""
    mapper = inspect(row).mapper
    table = cast(Table, mapper.local_table)
    values = _column_values(mapper, row)
    note_family(session, values.get("family_id"))
    inserted = cast(CursorResult[Any], session.execute(_insert_into(table), values))
    (key,) = mapper.primary_key
    written = inserted.inserted_primary_key
    if written is None:  # not for a single-row INSERT, which this always is
        raise RuntimeError(f"no primary key came back for the new row of {table.name}")
    setattr(row, mapper.get_property_by_column(key).key, written[0])
    make_transient_to_detached(row)
    session.add(row)
    return row
