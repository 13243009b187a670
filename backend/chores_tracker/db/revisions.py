"""Each family's revision (families.revision): a counter every write to the family bumps, in the
write's own transaction, so that an answer tagged with it (an ETag) can be revalidated later with
one lookup by primary key.

Sessions of every factory (make_session_factory) watch what they write. A transaction that wrote
anything bumps, just before it commits, the revision of every family it touched: the families of
the rows it added, changed or deleted (any row with a family_id, the family's own row, and a user's
family before and after a move), and the family of the request's caller (note_family: the API's
and the pages' authentication note it), which covers conditional UPDATEs and DELETEs that name no
family; a mutating request's session counts as writing from the start (deps.get_db). The bump is
the transaction's last statement, so the family's row is the last lock it takes.

MySQL and MariaDB are the exception: there a row inserted with a foreign key to a family takes a
shared lock on the family's row, and two transactions of one family that both then bump it wait for
each other (a deadlock, error 1213). On those databases the families a transaction will write are
bumped before their first write or row lock instead (before a flush, before an INSERT, UPDATE, DELETE
or SELECT ... FOR UPDATE, and a mutating request's as soon as its caller's family is known), so the
family's exclusive lock comes first and writers of one family take turns. PostgreSQL's foreign key check
takes a KEY SHARE lock, which the bump (no key changes) does not conflict with, so it keeps the bump last.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Connection, Integer, bindparam, column, event, inspect, select, table, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.sql.elements import TextClause

# The two columns this module uses; the Family model (families domain) maps the whole table.
FAMILIES = table("families", column("id", Integer), column("revision", BigInteger))

_FAMILIES = "chores_tracker.families"  # session.info: ids of the families this session touches
_WROTE = "chores_tracker.wrote"  # session.info: the transaction wrote something
_REVISION = "chores_tracker.family_revision"  # session.info: the caller's family revision, as authentication read it
_BUMPED = "chores_tracker.bumped"  # session.info: families already bumped in this transaction (MySQL)
_WRITES = ("insert", "update", "delete", "replace")
_BUMP_FIRST_DIALECTS = ("mysql", "mariadb")


_REVISION_OF = select(FAMILIES.c.revision).where(FAMILIES.c.id == bindparam("family_id"))
# Built once: every write's commit runs it.
_BUMP = (
    update(FAMILIES)
    .where(FAMILIES.c.id.in_(bindparam("family_ids", expanding=True)))
    .values(revision=FAMILIES.c.revision + 1)
)


def note_family(session: Session, family_id: int | None) -> None:
    """The family a request speaks for (its caller's): bumped if the transaction writes anything."""
    if family_id is not None:
        session.info.setdefault(_FAMILIES, set()).add(family_id)


def mark_writing(session: Session) -> None:
    """The request changes something (POST, PUT, PATCH, DELETE): its commit bumps the noted families
    even when no row turned out different (enabling an enabled chore), so that every mutating route
    bumps, whatever it does inside."""
    session.info[_WROTE] = True


def note_revision(session: Session, revision: int | None) -> None:
    """The caller's family revision as read with the caller, before anything else of the request."""
    session.info[_REVISION] = revision


def noted_revision(session: Session) -> int | None:
    revision: int | None = session.info.get(_REVISION)
    return revision


def family_revision(connection: Connection, family_id: int) -> int | None:
    """The family's revision now (one lookup by primary key); None when there is no such family."""
    value = connection.execute(_REVISION_OF, {"family_id": family_id}).scalar_one_or_none()
    return None if value is None else int(value)


def bump(session: Session, family_ids: Iterable[int]) -> None:
    """Bump these families' revisions now, in the session's transaction (for writes no session watches)."""
    ids = sorted(set(family_ids))
    if ids:
        session.execute(_BUMP, {"family_ids": ids})


def _families_of(instances: Iterable[Any]) -> set[int]:
    found: set[int] = set()
    for instance in instances:
        state = inspect(instance)
        if state.mapper.local_table is not None and getattr(state.mapper.local_table, "name", None) == "families":
            found.add(instance.id)
        if "family_id" in state.mapper.attrs:
            history = state.attrs.family_id.history
            found.update(value for value in (*history.unchanged, *history.added, *history.deleted) if value)
    return found


def _bumps_first(session: Session) -> bool:
    return session.get_bind().dialect.name in _BUMP_FIRST_DIALECTS


def _bump_before_writing(session: Session, family_ids: Iterable[int]) -> None:
    """MySQL/MariaDB: bump (and so lock) the families about to be written that this transaction has
    not bumped yet, before the write takes shared locks on their rows."""
    bumped: set[int] = session.info.setdefault(_BUMPED, set())
    ids = sorted(set(family_ids) - bumped)
    if ids:
        bumped.update(ids)
        # On the connection, not the session: no ORM event sees this statement as another write.
        session.connection().execute(_BUMP, {"family_ids": ids})


def _families_about_to_change(session: Session) -> set[int]:
    """The families of the pending changes, read without loading anything."""
    found: set[int] = set(session.info.get(_FAMILIES, ()))
    for instance in (*session.new, *session.dirty, *session.deleted):
        state = inspect(instance)
        if "family_id" in state.mapper.attrs:
            history = state.attrs.family_id.history
            found.update(value for value in (*history.unchanged, *history.added, *history.deleted) if value)
        elif getattr(state.mapper.local_table, "name", None) == "families" and state.identity:
            found.add(state.identity[0])
    return found


def _before_flush(session: Session, _context: UOWTransaction, _instances: object) -> None:
    if _bumps_first(session) and (session.new or session.dirty or session.deleted):
        _bump_before_writing(session, _families_about_to_change(session))


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    changed = [*session.new, *session.deleted, *(o for o in session.dirty if session.is_modified(o))]
    if changed:
        session.info[_WROTE] = True
        session.info.setdefault(_FAMILIES, set()).update(_families_of(changed))


def _is_write(state: ORMExecuteState) -> bool:
    if state.is_insert or state.is_update or state.is_delete:
        return True
    statement = state.statement
    return isinstance(statement, TextClause) and statement.text.lstrip()[:7].lower().startswith(_WRITES)


def _on_execute(state: ORMExecuteState) -> None:
    session = state.session
    if _is_write(state):
        session.info[_WROTE] = True
    # MySQL/MariaDB: a transaction that writes (a mutating request from its first statement on) or
    # locks rows to write them takes its families' rows first, before any other lock.
    locks = state.is_select and getattr(state.statement, "_for_update_arg", None) is not None
    if (session.info.get(_WROTE) or locks) and _bumps_first(session):
        _bump_before_writing(session, session.info.get(_FAMILIES, ()))


def _before_commit(session: Session) -> None:
    session.flush()  # the pending changes first: their families, and whether anything was written
    if session.info.pop(_WROTE, False):
        bump(session, set(session.info.get(_FAMILIES, ())) - session.info.get(_BUMPED, set()))
        session.info.pop(_WROTE, None)  # the bump itself is no new write


def _forget_writes(session: Session, *_args: object) -> None:
    session.info.pop(_WROTE, None)
    session.info.pop(_BUMPED, None)


def watch(factory: sessionmaker[Session]) -> None:
    """Make every session of the factory bump the revisions of the families it writes to."""
    event.listen(factory, "before_flush", _before_flush)
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget_writes)
    event.listen(factory, "after_commit", _forget_writes)
