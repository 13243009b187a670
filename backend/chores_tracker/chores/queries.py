"""What a viewer may see of the chores: lists, what is available now, the approval queue, a
child's chores and money with what waits for review, the family's figures. Read only; no HTTP.

Lists load chores with their assignments and assignees in two statements, however many chores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, assert_never

from sqlalchemy import (
    BindParameter,
    Case,
    ColumnElement,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased, selectinload
from sqlalchemy.orm.interfaces import LoaderOption

from chores_tracker import clock
from chores_tracker.chores.models import (
    APPROVED,
    AVAILABLE,
    COMPLETED,
    POOL,
    Assignment,
    Chore,
    Completion,
    CompletionStatus,
)
from chores_tracker.chores.states import ChoreStatus, effective_state
from chores_tracker.chores.turns import current_turns, is_rotation
from chores_tracker.errors import NotFound
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.ledger.models import EntryKind, LedgerEntry
from chores_tracker.money import from_cents
from chores_tracker.notifications import webhooks
from chores_tracker.periods import Period

MAX_LIST = 500


def available_now(now: datetime | BindParameter[datetime], slots: Any = Assignment) -> ColumnElement[bool]:
    """An assignment that may be done now: available, or approved and past its cooldown. `slots`: the
    Assignment entity, or the columns of its table (`Assignment.__table__.c`) for a Core statement."""
    return or_(
        slots.state == AVAILABLE,
        and_(slots.state == APPROVED, slots.available_at.is_not(None), slots.available_at <= now),
    )


def _done_now(now: datetime) -> ColumnElement[bool]:
    return or_(
        Assignment.state == COMPLETED,
        and_(Assignment.state == APPROVED, or_(Assignment.available_at.is_(None), Assignment.available_at > now)),
    )


def _with_slots() -> LoaderOption:
    return selectinload(Chore.assignments).joinedload(Assignment.assignee)


def family_chores(viewer: User) -> ColumnElement[bool]:
    """The viewer's family's chores that are not deleted (whoever may see them)."""
    if viewer.family_id is None:
        return false()
    return chores_of_family(viewer.family_id)


def chores_of_family(family_id: int | BindParameter[int]) -> ColumnElement[bool]:
    """family_chores, by the family's id (a parameter, in a statement built once)."""
    return and_(Chore.family_id == family_id, Chore.deleted_at.is_(None))


def _slot_exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(Assignment.id).where(Assignment.chore_id == Chore.id, *conditions))


def visible_chores(viewer: User) -> ColumnElement[bool]:
    """A parent sees the family's chores; a child those assigned to it and the family's pool,
    except paused ones."""
    if viewer.is_parent or viewer.family_id is None:
        return family_chores(viewer)
    return _visible_to_child(viewer.family_id, viewer.id)


def _visible_to_child(family_id: int | BindParameter[int], child_id: int | BindParameter[int]) -> ColumnElement[bool]:
    return and_(
        chores_of_family(family_id),
        Chore.is_disabled.is_(False),
        or_(Chore.assignment_mode == POOL, _slot_exists(Assignment.assignee_id == child_id)),
    )


# Built once, with the family and the viewer as parameters: chores.lifecycle runs them on every change.
_FAMILY_CHORE = select(Chore).where(Chore.id == bindparam("chore_id"), chores_of_family(bindparam("family_id")))
_CHILDS_CHORE = select(Chore).where(
    Chore.id == bindparam("chore_id"), _visible_to_child(bindparam("family_id"), bindparam("child_id"))
)


# The child's slot of the chore with it: the pool's one slot, whoever holds it; otherwise the child's own.
# An alias: the visibility's EXISTS over the assignments stays a subquery of its own.
_SLOT = aliased(Assignment)
_CHILDS_CHORE_AND_SLOT = (
    select(Chore, _SLOT, webhooks.any_enabled(Chore.family_id))
    .outerjoin(
        _SLOT,
        and_(
            _SLOT.chore_id == Chore.id, or_(Chore.assignment_mode == POOL, _SLOT.assignee_id == bindparam("child_id"))
        ),
    )
    .where(Chore.id == bindparam("chore_id"), _visible_to_child(bindparam("family_id"), bindparam("child_id")))
)


class ChildsChore(NamedTuple):
    chore: Chore
    slot: Assignment
    family_has_webhooks: bool


def childs_chore_and_slot(session: Session, child: User, chore_id: int) -> ChildsChore | None:
    """The chore, if the child may see it (visible_chores), the child's slot of it and whether the
    family has an enabled webhook (notifications.webhooks.any_enabled), in one statement; None when
    the chore or the slot is missing (to the child, the chore is not there)."""
    if child.family_id is None:
        return None
    found = session.execute(
        _CHILDS_CHORE_AND_SLOT, {"chore_id": chore_id, "family_id": child.family_id, "child_id": child.id}
    ).first()
    return None if found is None or found[1] is None else ChildsChore(found[0], found[1], bool(found[2]))


def visible_chore(session: Session, viewer: User, chore_id: int) -> Chore | None:
    """The chore, if the viewer may see it (visible_chores); else None."""
    if viewer.family_id is None:
        return None
    if viewer.is_parent:
        return session.scalar(_FAMILY_CHORE, {"chore_id": chore_id, "family_id": viewer.family_id})
    return session.scalar(_CHILDS_CHORE, {"chore_id": chore_id, "family_id": viewer.family_id, "child_id": viewer.id})


def _chores_with_slots(condition: ColumnElement[bool], skip: int, limit: int) -> Select[Chore]:
    return (
        select(Chore)
        .where(condition)
        .options(_with_slots())
        .order_by(Chore.id)
        .offset(max(skip, 0))
        .limit(max(1, min(limit, MAX_LIST)))
        .execution_options(populate_existing=True)
    )


def load_chores(
    session: Session, condition: ColumnElement[bool], *, skip: int = 0, limit: int = MAX_LIST
) -> list[Chore]:
    """Chores with their assignments and assignees: two statements, however many chores."""
    return list(session.scalars(_chores_with_slots(condition, skip, limit)))


# Built once: every change of a chore answers with it reloaded.
_CHORE_WITH_SLOTS = _chores_with_slots(Chore.id == bindparam("chore_id"), 0, 1)


def reload_chore(session: Session, chore_id: int) -> Chore:
    """The chore as committed, with its assignments, for the answer after a change."""
    return session.scalars(_CHORE_WITH_SLOTS, {"chore_id": chore_id}).all()[0]


def slot_in(chore: Chore, assignment_id: int) -> Assignment:
    return next(slot for slot in chore.assignments if slot.id == assignment_id)


def get_chore(session: Session, viewer: User, chore_id: int) -> Chore:
    found = load_chores(session, and_(Chore.id == chore_id, visible_chores(viewer)), limit=1)
    if not found:
        raise NotFound("chore not found")
    return found[0]


def _status_condition(viewer: User, status: ChoreStatus, now: datetime) -> ColumnElement[bool]:
    mine = [] if viewer.is_parent else [Assignment.assignee_id == viewer.id]
    if status is ChoreStatus.active:
        return Chore.is_disabled.is_(False)
    if status is ChoreStatus.available:
        whose = [] if viewer.is_parent else [or_(Assignment.assignee_id == viewer.id, Chore.assignment_mode == POOL)]
        free_pool_or_mine = _slot_exists(available_now(now), *whose)
        return and_(Chore.is_disabled.is_(False), free_pool_or_mine)
    if status is ChoreStatus.completed:
        return _slot_exists(_done_now(now), *mine)
    if status is ChoreStatus.pending_approval:
        return _slot_exists(Assignment.state == COMPLETED, *mine)
    if status is ChoreStatus.approved:
        return _slot_exists(Assignment.state == APPROVED, ~available_now(now), *mine)
    assert_never(status)


def list_chores(
    session: Session, viewer: User, *, status: ChoreStatus | None = None, skip: int = 0, limit: int = MAX_LIST
) -> list[Chore]:
    condition = visible_chores(viewer)
    if status:
        condition = and_(condition, _status_condition(viewer, status, clock.now()))
    return load_chores(session, condition, skip=skip, limit=limit)


@dataclass(frozen=True)
class AvailableChores:
    assigned: list[tuple[Chore, Assignment]]
    pool: list[Chore]


def available_for_child(session: Session, child: User) -> AvailableChores:
    """What the child may do now: its own available assignments (a rotation's only on the child's
    turn), and the free pool chores."""
    now = clock.now()
    active = and_(family_chores(child), Chore.is_disabled.is_(False))
    assigned = load_chores(
        session,
        and_(
            active, Chore.assignment_mode != POOL, _slot_exists(Assignment.assignee_id == child.id, available_now(now))
        ),
    )
    pool = load_chores(session, and_(active, Chore.assignment_mode == POOL, _slot_exists(available_now(now))))
    # A rotation chore is the child's to do only when it is the child's turn.
    turns = current_turns(session, [chore.id for chore in assigned if is_rotation(chore)], now)
    pairs = [
        (chore, slot)
        for chore in assigned
        for slot in chore.assignments
        if slot.assignee_id == child.id
        and effective_state(slot, now) == AVAILABLE
        and (not is_rotation(chore) or turns.get(chore.id) == child.id)
    ]
    return AvailableChores(assigned=pairs, pool=pool)


@dataclass(frozen=True)
class PendingApproval:
    assignment: Assignment
    chore: Chore


def pending_approvals(session: Session, parent: User, *, skip: int = 0, limit: int = MAX_LIST) -> list[PendingApproval]:
    """Completions waiting for review, oldest first."""
    waiting = session.execute(
        select(Assignment.id, Assignment.chore_id)
        .join(Assignment.chore)
        .where(family_chores(parent), Assignment.state == COMPLETED)
        .order_by(Assignment.completed_at, Assignment.id)
        .offset(max(skip, 0))
        .limit(max(1, min(limit, MAX_LIST)))
    ).all()
    chores = {chore.id: chore for chore in load_chores(session, Chore.id.in_({chore_id for _, chore_id in waiting}))}
    return [PendingApproval(slot_in(chores[chore_id], slot_id), chores[chore_id]) for slot_id, chore_id in waiting]


def pending_approval_count(session: Session, parent: User) -> int:
    """How many completions wait for review in the family (one COUNT, for badges and menus)."""
    return (
        session.scalar(
            select(func.count())
            .select_from(Assignment)
            .join(Assignment.chore)
            .where(family_chores(parent), Assignment.state == COMPLETED)
        )
        or 0
    )


def chores_of_child(
    session: Session, parent: User, child_id: int, *, skip: int = 0, limit: int = MAX_LIST
) -> list[Chore]:
    child = identity.child_of_family(session, parent, child_id)
    return load_chores(
        session, and_(family_chores(parent), _slot_exists(Assignment.assignee_id == child.id)), skip=skip, limit=limit
    )


def chores_completed_by_child(
    session: Session, parent: User, child_id: int, *, skip: int = 0, limit: int = MAX_LIST
) -> list[Chore]:
    """Chores the child has done at least once (waiting for review or approved)."""
    child = identity.child_of_family(session, parent, child_id)
    done = exists(
        select(Completion.id).where(
            Completion.chore_id == Chore.id,
            Completion.child_id == child.id,
            Completion.status.in_([CompletionStatus.pending.value, CompletionStatus.approved.value]),
        )
    )
    return load_chores(session, and_(family_chores(parent), done), skip=skip, limit=limit)


@dataclass(frozen=True)
class ChildChores:
    child: User
    assignments: list[tuple[Assignment, Chore]]


def children_with_chores(session: Session, parent: User, *, whole_family: bool) -> list[ChildChores]:
    """The parent's children (those it created, or the whole family's) and their assignments."""
    children = identity.list_children(session, parent, whole_family=whole_family)
    by_child: dict[int, list[tuple[Assignment, Chore]]] = {child.id: [] for child in children}
    if children:
        rows = session.execute(
            select(Assignment, Chore)
            .join(Chore, Chore.id == Assignment.chore_id)
            .where(Assignment.assignee_id.in_(list(by_child)), Chore.deleted_at.is_(None))
            .order_by(Chore.id)
        )
        for slot, chore in rows:
            by_child[slot.assignee_id].append((slot, chore))  # type: ignore[index]  # the query keeps assigned slots only
    return [ChildChores(child, by_child[child.id]) for child in children]


def pending_value_expression() -> Case[int]:
    """What a pending completion is worth before review: the fixed reward, or a range's minimum
    (the least the child will get if approved; never promise more than is sure)."""
    return case((Chore.is_range_reward.is_(True), Chore.min_reward_cents), else_=Chore.reward_cents)


def totals_for_children(session: Session, child_ids: Iterable[int], period: Period | None = None) -> ledger.ChildTotals:
    """Each child's ledger sums (ledger.totals_for_children: within the period, when one is given)
    and its completions waiting for review, whenever done: two grouped queries."""
    ids = list(child_ids)
    result = ledger.totals_for_children(session, ids, period)
    if not ids:
        return result
    pending = session.execute(
        select(Completion.child_id, func.count(), func.coalesce(func.sum(pending_value_expression()), 0))
        .join(Chore, Chore.id == Completion.chore_id)
        .where(Completion.child_id.in_(ids), Completion.status == CompletionStatus.pending.value)
        .group_by(Completion.child_id)
    )
    for child_id, count, cents in pending:
        totals = result.of(child_id)
        totals.pending_cents, totals.pending_count = int(cents), int(count)
    return result


def child_totals(session: Session, child: User) -> ledger.Totals:
    return totals_for_children(session, [child.id]).of(child.id)


def family_chore_stats(session: Session, family_id: int) -> dict[str, Any]:
    """The chore and money figures of GET /families/stats."""
    total_chores = session.scalar(
        select(func.count()).select_from(Chore).where(Chore.family_id == family_id, Chore.deleted_at.is_(None))
    )
    done = session.execute(
        select(Completion.status, func.count())
        .where(
            Completion.family_id == family_id,
            Completion.status.in_([CompletionStatus.pending.value, CompletionStatus.approved.value]),
        )
        .group_by(Completion.status)
    ).all()
    counts = dict(done)
    earned = session.scalar(
        select(func.coalesce(func.sum(LedgerEntry.amount_cents), 0)).where(
            LedgerEntry.family_id == family_id, LedgerEntry.kind == EntryKind.chore_earning.value
        )
    )
    approved = counts.get(CompletionStatus.approved.value, 0)
    return {
        "total_chores": int(total_chores or 0),
        "completed_chores": approved + counts.get(CompletionStatus.pending.value, 0),
        "approved_chores": approved,
        "total_rewards_earned": from_cents(int(earned or 0)),
    }
