"""insert_now: a new row written with one INSERT at once, then in the session as if read back."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from chores_tracker import currencies, timezones
from chores_tracker.db.rows import insert_now
from chores_tracker.families.models import Family
from tests.support.databases import TestDatabase, clear_all_tables


def _families(database: TestDatabase) -> list[tuple]:
    with database.engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(
                sa.select(Family.id, Family.invite_code, Family.timezone, Family.currency, Family.name, Family.revision)
            )
        ]


def test_the_row_is_written_at_once_with_its_defaults_and_is_not_written_again(database: TestDatabase):
    clear_all_tables(database.engine)
    with Session(database.engine) as session:
        family = insert_now(session, Family(invite_code="ROWS-1", name="The Rows"))
        # Written now, in the session's transaction: the statement is not left for the flush.
        assert session.execute(sa.select(sa.func.count()).select_from(Family)).scalar_one() == 1
        assert family in session and not session.new and not session.dirty
        assert family.id is not None
        # Python-side defaults are the object's values; a server default is read back when used.
        assert (family.timezone, family.currency, family.invite_code_expires_at) == (
            timezones.DEFAULT,
            currencies.DEFAULT,
            None,
        )
        assert family.revision == 0
        family_id = family.id
        session.commit()
    assert _families(database) == [(family_id, "ROWS-1", timezones.DEFAULT, currencies.DEFAULT, "The Rows", 0)]


def test_a_row_rolled_back_is_not_kept(database: TestDatabase):
    clear_all_tables(database.engine)
    with Session(database.engine) as session:
        insert_now(session, Family(invite_code="ROWS-2"))
        session.rollback()
    assert _families(database) == []


def test_changes_after_the_insert_are_flushed_as_an_update(database: TestDatabase):
    clear_all_tables(database.engine)
    with Session(database.engine) as session:
        family = insert_now(session, Family(invite_code="ROWS-3"))
        family.name = "Renamed"
        session.commit()
    assert [row[4] for row in _families(database)] == ["Renamed"]
