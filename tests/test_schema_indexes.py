"""Every foreign key has an index that starts with its columns (joins and cascades never scan)."""

from __future__ import annotations

from sqlalchemy import PrimaryKeyConstraint, UniqueConstraint

from chores_tracker.db.models import Base


def _leading_columns(table) -> list[tuple[str, ...]]:
    found = [tuple(c.name for c in index.columns) for index in table.indexes]
    found += [
        tuple(c.name for c in constraint.columns)
        for constraint in table.constraints
        if isinstance(constraint, (PrimaryKeyConstraint, UniqueConstraint))  # these come with an index
    ]
    return found


def test_every_foreign_key_is_indexed():
    missing = []
    for table in Base.metadata.sorted_tables:
        indexed = _leading_columns(table)
        for fk in table.foreign_key_constraints:
            columns = tuple(c.name for c in fk.columns)
            if not any(candidate[: len(columns)] == columns for candidate in indexed):
                missing.append(f"{table.name}.{','.join(columns)}")
    assert missing == []


def test_every_table_of_the_chores_domain_is_known_to_the_metadata():
    assert {"chores", "chore_assignments", "chore_completions", "ledger_entries", "activities"} <= set(
        Base.metadata.tables
    )
