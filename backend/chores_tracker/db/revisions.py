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
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Integer, bindparam, column, event, inspect, select, table, update
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, sessionmaker
from sqlalchemy.sql.elements import TextClause

# The two columns this module uses; the Family model (families domain) maps the whole table.
FAMILIES = table("families", column("id", Integer), column("revision", BigInteger))

_FAMILIES = "chores_tracker.families"  # session.info: ids of the families this session touches
_WROTE = "chores_tracker.wrote"  # session.info: the transaction wrote something
_REVISION = "chores_tracker.family_revision"  # session.info: the caller's family revision, as authentication read it
_WRITES = ("insert", "update", "delete", "replace")


_REVISION_OF = select(FAMILIES.c.revision).where(FAMILIES.c.id == bindparam("family_id"))


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


def family_revision(session: Session, family_id: int) -> int | None:
    """The family's revision now (one lookup by primary key); None when there is no such family."""
    value = session.connection().execute(_REVISION_OF, {"family_id": family_id}).scalar_one_or_none()
    return None if value is None else int(value)


def bump(session: Session, family_ids: Iterable[int]) -> None:
    """Bump these families' revisions now, in the session's transaction (for writes no session watches)."""
    ids = sorted(set(family_ids))
    if ids:
        session.execute(update(FAMILIES).where(FAMILIES.c.id.in_(ids)).values(revision=FAMILIES.c.revision + 1))


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
    if _is_write(state):
        state.session.info[_WROTE] = True


def _before_commit(session: Session) -> None:
    session.flush()  # the pending changes first: their families, and whether anything was written
    if session.info.pop(_WROTE, False):
        bump(session, session.info.get(_FAMILIES, ()))
        session.info.pop(_WROTE, None)  # the bump itself is no new write


def _forget_writes(session: Session, *_args: object) -> None:
    session.info.pop(_WROTE, None)


def watch(factory: sessionmaker[Session]) -> None:
    """Make every session of the factory bump the revisions of the families it writes to."""
    event.listen(factory, "after_flush", _after_flush)
    event.listen(factory, "do_orm_execute", _on_execute)
    event.listen(factory, "before_commit", _before_commit)
    event.listen(factory, "after_rollback", _forget_writes)
