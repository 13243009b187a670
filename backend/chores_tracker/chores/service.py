"""Chores and their lifecycle: create, edit, pause, delete; complete, approve, reject. No HTTP.

Concurrency: every transition is a conditional UPDATE of the assignment row
(`... WHERE state = <expected>`). On PostgreSQL and MariaDB/MySQL (READ COMMITTED) a second,
concurrent transition waits for the first one's row lock, then finds the state changed and
updates nothing; it answers Conflict. So a double-clicked "done" completes once, two children
racing for a pool chore leave one winner, and two parents approving at once pay once (the
ledger's unique completion_id is the last guard). Paths that lock several rows take the
assignment rows first (in id order) and the chore row after, so they cannot deadlock.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import ColumnElement, and_, exists, false, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager, selectinload

from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.chores.models import (
    Assignment,
    AssignmentMode,
    AssignmentState,
    Chore,
    Completion,
    CompletionStatus,
)
from chores_tracker.chores.schemas import ChoreCreate, ChoreFields, ChoreUpdate, effective_state
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.families import service as families
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.ledger.models import EntryKind, LedgerEntry
from chores_tracker.money import from_cents, to_cents
from chores_tracker.observability import metrics
from chores_tracker.periods import now_utc

MAX_LIST = 500

AVAILABLE = AssignmentState.available.value
COMPLETED = AssignmentState.completed.value
APPROVED = AssignmentState.approved.value
POOL = AssignmentMode.unassigned.value


# ---------------------------------------------------------------------------------------------
# Configuration rules (shared by create and edit)


@dataclass(frozen=True)
class ChoreSpec:
    """A chore's complete configuration once the rules have been applied."""

    title: str
    description: str | None
    reward_cents: int | None
    is_range_reward: bool
    min_reward_cents: int | None
    max_reward_cents: int | None
    assignment_mode: str
    assignee_ids: tuple[int, ...]
    is_recurring: bool
    cooldown_days: int | None


_NOT_NULLABLE = ("title", "is_range_reward", "assignment_mode", "assignee_ids", "is_recurring")


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else to_cents(value)


def _current_spec(chore: Chore, slots: list[Assignment]) -> ChoreSpec:
    return ChoreSpec(
        title=chore.title,
        description=chore.description,
        reward_cents=chore.reward_cents,
        is_range_reward=chore.is_range_reward,
        min_reward_cents=chore.min_reward_cents,
        max_reward_cents=chore.max_reward_cents,
        assignment_mode=chore.assignment_mode,
        assignee_ids=() if chore.is_pool else tuple(slot.assignee_id for slot in slots if slot.assignee_id),
        is_recurring=chore.is_recurring,
        cooldown_days=chore.cooldown_days,
    )


def _merge(base: ChoreSpec | None, data: ChoreFields) -> ChoreSpec:
    """The sent fields over the current configuration (or over nothing, for a new chore)."""
    sent = data.model_fields_set if base is not None else set(type(data).model_fields)
    values = {f.name: getattr(base, f.name) for f in fields(ChoreSpec)} if base else {}
    for name in sent:
        value = getattr(data, name)
        if value is None and name in _NOT_NULLABLE:
            raise InvalidInput("must not be null", field=name)
        if name in ("reward", "min_reward", "max_reward"):
            values[f"{name}_cents"] = _cents(value)
        elif name == "assignment_mode":
            values[name] = value.value
        elif name == "assignee_ids":
            values[name] = tuple(dict.fromkeys(value))  # duplicates collapse, order kept
        else:
            values[name] = value
    if values.get("assignment_mode") == POOL and "assignee_ids" not in sent:
        values["assignee_ids"] = ()  # moving a chore into the pool takes it off its children
    for f in fields(ChoreSpec):
        values.setdefault(f.name, None)
    return _checked(ChoreSpec(**values))


def _checked(spec: ChoreSpec) -> ChoreSpec:
    if not spec.title:
        raise InvalidInput("a chore needs a title", field="title")
    if spec.is_range_reward:
        if spec.min_reward_cents is None:
            raise InvalidInput("a range reward needs min_reward", field="min_reward")
        if spec.max_reward_cents is None:
            raise InvalidInput("a range reward needs max_reward", field="max_reward")
        if spec.min_reward_cents > spec.max_reward_cents:
            raise InvalidInput("max_reward must be at least min_reward", field="max_reward")
        spec = replace(spec, reward_cents=None)
    else:
        if spec.reward_cents is None:
            raise InvalidInput("a fixed reward chore needs a reward (0 or more)", field="reward")
        spec = replace(spec, min_reward_cents=None, max_reward_cents=None)
    count = len(spec.assignee_ids)
    if spec.assignment_mode == AssignmentMode.single.value and count != 1:
        raise InvalidInput("a single-child chore takes exactly one assignee", field="assignee_ids")
    if spec.assignment_mode == AssignmentMode.multi_independent.value and count < 1:
        raise InvalidInput("a multi-child chore takes at least one assignee", field="assignee_ids")
    if spec.assignment_mode == POOL and count:
        raise InvalidInput("a pool chore takes no assignees: any child of the family may do it", field="assignee_ids")
    if spec.is_recurring:
        spec = replace(spec, cooldown_days=spec.cooldown_days or 0)
    else:
        if spec.cooldown_days:
            raise InvalidInput("only a recurring chore has a cooldown", field="cooldown_days")
        spec = replace(spec, cooldown_days=None)
    return spec


def _check_assignees(session: Session, parent: User, assignee_ids: tuple[int, ...]) -> None:
    if not assignee_ids:
        return
    found = set(
        session.scalars(
            select(User.id).where(
                User.id.in_(assignee_ids),
                User.family_id == parent.family_id,
                User.is_parent.is_(False),
                User.is_active.is_(True),
            )
        )
    )
    missing = [i for i in assignee_ids if i not in found]
    if missing:
        raise InvalidInput(f"not children of your family: {missing}", field="assignee_ids")


def _apply(chore: Chore, spec: ChoreSpec) -> None:
    chore.title = spec.title
    chore.description = spec.description or None
    chore.reward_cents = spec.reward_cents
    chore.is_range_reward = spec.is_range_reward
    chore.min_reward_cents = spec.min_reward_cents
    chore.max_reward_cents = spec.max_reward_cents
    chore.assignment_mode = spec.assignment_mode
    chore.is_recurring = spec.is_recurring
    chore.cooldown_days = spec.cooldown_days


# ---------------------------------------------------------------------------------------------
# Reading


def available_now(now: datetime) -> ColumnElement[bool]:
    """An assignment that may be done now: available, or approved and past its cooldown."""
    return or_(
        Assignment.state == AVAILABLE,
        and_(Assignment.state == APPROVED, Assignment.available_at.is_not(None), Assignment.available_at <= now),
    )


def _done_now(now: datetime) -> ColumnElement[bool]:
    return or_(
        Assignment.state == COMPLETED,
        and_(Assignment.state == APPROVED, or_(Assignment.available_at.is_(None), Assignment.available_at > now)),
    )


def _with_slots():  # noqa: ANN202
    return selectinload(Chore.assignments).joinedload(Assignment.assignee)


def _family_chores(viewer: User) -> ColumnElement[bool]:
    if viewer.family_id is None:
        return false()
    return and_(Chore.family_id == viewer.family_id, Chore.deleted_at.is_(None))


def _slot_exists(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    return exists(select(Assignment.id).where(Assignment.chore_id == Chore.id, *conditions))


def visible_chores(viewer: User) -> ColumnElement[bool]:
    """A parent sees the family's chores; a child those assigned to it and the family's pool,
    except paused ones."""
    condition = _family_chores(viewer)
    if viewer.is_parent:
        return condition
    return and_(
        condition,
        Chore.is_disabled.is_(False),
        or_(Chore.assignment_mode == POOL, _slot_exists(Assignment.assignee_id == viewer.id)),
    )


def load_chores(session: Session, condition: ColumnElement[bool], *, skip: int = 0, limit: int = MAX_LIST) -> list[Chore]:
    """Chores with their assignments and assignees: two statements, however many chores."""
    return list(
        session.scalars(
            select(Chore)
            .where(condition)
            .options(_with_slots())
            .order_by(Chore.id)
            .offset(max(skip, 0))
            .limit(max(1, min(limit, MAX_LIST)))
            .execution_options(populate_existing=True)
        )
    )


def _reload(session: Session, chore_id: int) -> Chore:
    return load_chores(session, Chore.id == chore_id, limit=1)[0]


def get_chore(session: Session, viewer: User, chore_id: int) -> Chore:
    found = load_chores(session, and_(Chore.id == chore_id, visible_chores(viewer)), limit=1)
    if not found:
        raise NotFound("chore not found")
    return found[0]


STATUSES = ("available", "active", "completed", "pending_approval", "approved")


def _status_condition(viewer: User, status: str, now: datetime) -> ColumnElement[bool]:
    mine = [] if viewer.is_parent else [Assignment.assignee_id == viewer.id]
    if status == "active":
        return Chore.is_disabled.is_(False)
    if status == "available":
        whose = [] if viewer.is_parent else [or_(Assignment.assignee_id == viewer.id, Chore.assignment_mode == POOL)]
        free_pool_or_mine = _slot_exists(available_now(now), *whose)
        return and_(Chore.is_disabled.is_(False), free_pool_or_mine)
    if status == "completed":
        return _slot_exists(_done_now(now), *mine)
    if status == "pending_approval":
        return _slot_exists(Assignment.state == COMPLETED, *mine)
    if status == "approved":
        return _slot_exists(Assignment.state == APPROVED, ~available_now(now), *mine)
    raise InvalidInput(f"status must be one of {', '.join(STATUSES)}", field="status")


def list_chores(
    session: Session, viewer: User, *, status: str | None = None, skip: int = 0, limit: int = MAX_LIST
) -> list[Chore]:
    condition = visible_chores(viewer)
    if status:
        condition = and_(condition, _status_condition(viewer, status, now_utc()))
    return load_chores(session, condition, skip=skip, limit=limit)


@dataclass(frozen=True)
class AvailableChores:
    assigned: list[tuple[Chore, Assignment]]
    pool: list[Chore]


def available_for_child(session: Session, child: User) -> AvailableChores:
    """What the child may do now: its own available assignments, and the free pool chores."""
    now = now_utc()
    active = and_(_family_chores(child), Chore.is_disabled.is_(False))
    assigned = load_chores(
        session,
        and_(active, Chore.assignment_mode != POOL, _slot_exists(Assignment.assignee_id == child.id, available_now(now))),
    )
    pool = load_chores(session, and_(active, Chore.assignment_mode == POOL, _slot_exists(available_now(now))))
    pairs = [
        (chore, slot)
        for chore in assigned
        for slot in chore.assignments
        if slot.assignee_id == child.id and effective_state(slot, now) == AVAILABLE
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
        .where(_family_chores(parent), Assignment.state == COMPLETED)
        .order_by(Assignment.completed_at, Assignment.id)
        .offset(max(skip, 0))
        .limit(max(1, min(limit, MAX_LIST)))
    ).all()
    chores = {chore.id: chore for chore in load_chores(session, Chore.id.in_({chore_id for _, chore_id in waiting}))}
    return [PendingApproval(_slot_in(chores[chore_id], slot_id), chores[chore_id]) for slot_id, chore_id in waiting]


def pending_approval_count(session: Session, parent: User) -> int:
    """How many completions wait for review in the family (one COUNT, for badges and menus)."""
    return session.scalar(
        select(func.count())
        .select_from(Assignment)
        .join(Assignment.chore)
        .where(_family_chores(parent), Assignment.state == COMPLETED)
    ) or 0


def chores_of_child(session: Session, parent: User, child_id: int, *, skip: int = 0, limit: int = MAX_LIST) -> list[Chore]:
    child = identity.child_of_family(session, parent, child_id)
    return load_chores(
        session, and_(_family_chores(parent), _slot_exists(Assignment.assignee_id == child.id)), skip=skip, limit=limit
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
    return load_chores(session, and_(_family_chores(parent), done), skip=skip, limit=limit)


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
            by_child[slot.assignee_id].append((slot, chore))
    return [ChildChores(child, by_child[child.id]) for child in children]


def family_chore_stats(session: Session, family_id: int) -> dict:
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
    counts = {status: n for status, n in done}
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


# ---------------------------------------------------------------------------------------------
# Parents: create, edit, pause, delete


def _parent_chore(session: Session, parent: User, chore_id: int) -> Chore:
    chore = session.scalar(
        select(Chore).where(Chore.id == chore_id, _family_chores(parent)).execution_options(populate_existing=True)
    )
    if chore is None:
        raise NotFound("chore not found")
    return chore


def _lock_slots(session: Session, chore_id: int) -> list[Assignment]:
    return list(
        session.scalars(
            select(Assignment)
            .where(Assignment.chore_id == chore_id)
            .order_by(Assignment.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )


def _new_slots(chore_id: int, spec: ChoreSpec, keep: set[int | None]) -> list[Assignment]:
    wanted: list[int | None] = [None] if spec.assignment_mode == POOL else list(spec.assignee_ids)
    return [Assignment(chore_id=chore_id, assignee_id=who, state=AVAILABLE) for who in wanted if who not in keep]


def create_chore(session: Session, parent: User, data: ChoreCreate) -> Chore:
    family = families.require_family(session, parent)
    spec = _merge(None, data)
    _check_assignees(session, parent, spec.assignee_ids)
    chore = Chore(family_id=family.id, creator_id=parent.id, is_disabled=False)
    _apply(chore, spec)
    session.add(chore)
    session.flush()
    session.add_all(_new_slots(chore.id, spec, keep=set()))
    activity.record(
        session,
        family_id=family.id,
        actor=parent,
        activity_type=ActivityType.chore_created,
        description=f"{parent.username} created the chore {chore.title!r}",
        target_user_id=spec.assignee_ids[0] if spec.assignment_mode == AssignmentMode.single.value else None,
        chore_id=chore.id,
        chore_title=chore.title,
    )
    session.commit()
    return _reload(session, chore.id)


def update_chore(session: Session, parent: User, chore_id: int, data: ChoreUpdate) -> Chore:
    chore = _parent_chore(session, parent, chore_id)
    slots = _lock_slots(session, chore.id)
    chore = _parent_chore(session, parent, chore_id)  # as it is now that its assignments are locked
    chore_before = _current_spec(chore, slots)
    spec = _merge(chore_before, data)
    if (spec.assignment_mode, spec.assignee_ids) != (chore_before.assignment_mode, chore_before.assignee_ids):
        _check_assignees(session, parent, spec.assignee_ids)
        _reassign(session, chore, slots, spec)
    _apply(chore, spec)
    activity.record(
        session,
        family_id=chore.family_id,
        actor=parent,
        activity_type=ActivityType.chore_updated,
        description=f"{parent.username} changed the chore {chore.title!r}",
        chore_id=chore.id,
        chore_title=chore.title,
    )
    session.commit()
    return _reload(session, chore.id)


def _reassign(session: Session, chore: Chore, slots: list[Assignment], spec: ChoreSpec) -> None:
    """Removes the assignments the new configuration drops and adds the ones it needs. A child
    who stays keeps its assignment (and its cooldown); history stays in chore_completions."""
    if chore.is_pool or spec.assignment_mode == POOL:
        dropped = list(slots)  # into or out of the pool: the slots are of another kind
    else:
        dropped = [slot for slot in slots if slot.assignee_id not in spec.assignee_ids]
    if any(slot.state == COMPLETED for slot in dropped):
        raise Conflict("a completion of this chore is waiting for approval; approve or reject it first")
    for slot in dropped:
        session.delete(slot)
    session.flush()  # the old rows go before new ones reuse their (chore, child) pair
    kept = {slot.assignee_id for slot in slots if slot not in dropped}
    session.add_all(_new_slots(chore.id, spec, keep=kept))


def set_disabled(session: Session, parent: User, chore_id: int, disabled: bool) -> Chore:
    chore = _parent_chore(session, parent, chore_id)
    if chore.is_disabled != disabled:
        chore.is_disabled = disabled
        activity.record(
            session,
            family_id=chore.family_id,
            actor=parent,
            activity_type=ActivityType.chore_disabled if disabled else ActivityType.chore_enabled,
            description=f"{parent.username} {'paused' if disabled else 'resumed'} the chore {chore.title!r}",
            chore_id=chore.id,
            chore_title=chore.title,
        )
        session.commit()
    return _reload(session, chore.id)


def delete_chore(session: Session, parent: User, chore_id: int) -> None:
    """Hides the chore for good. Its completions stay (history, reports) and the ledger keeps
    every amount earned with its own copy of the title."""
    _parent_chore(session, parent, chore_id)
    slots = _lock_slots(session, chore_id)
    chore = _parent_chore(session, parent, chore_id)
    if any(slot.state == COMPLETED for slot in slots):
        raise Conflict("a completion of this chore is waiting for approval; approve or reject it first")
    chore.deleted_at = now_utc()
    activity.record(
        session,
        family_id=chore.family_id,
        actor=parent,
        activity_type=ActivityType.chore_deleted,
        description=f"{parent.username} deleted the chore {chore.title!r}",
        chore_id=chore.id,
        chore_title=chore.title,
    )
    session.commit()


# ---------------------------------------------------------------------------------------------
# The lifecycle


@dataclass(frozen=True)
class LifecycleResult:
    chore: Chore
    assignment: Assignment
    message: str


def _slot_in(chore: Chore, assignment_id: int) -> Assignment:
    return next(slot for slot in chore.assignments if slot.id == assignment_id)


def _why_not_now(slot: Assignment | None, child: User, now: datetime) -> str:
    if slot is None:
        return "this chore is no longer assigned to you"
    state = effective_state(slot, now)
    if state == COMPLETED and slot.assignee_id != child.id:
        return "another child has already taken this chore"
    if state == COMPLETED:
        return "already marked as done; it is waiting for a parent's approval"
    if state == APPROVED and slot.available_at is not None:
        return f"done and approved; available again at {slot.available_at.isoformat()}"
    if state == APPROVED and slot.assignee_id != child.id:
        return "another child has already done this chore"
    if state == APPROVED:
        return "done and approved; a one-off chore is done once"
    return "this chore cannot be completed right now; try again"


def complete_chore(session: Session, child: User, chore_id: int) -> LifecycleResult:
    chore = session.scalar(select(Chore).where(Chore.id == chore_id, visible_chores(child)))
    if chore is None:
        raise NotFound("chore not found")
    # The pool has one assignment, whoever holds it; otherwise the child's own.
    whose = [] if chore.is_pool else [Assignment.assignee_id == child.id]
    slot = session.scalar(select(Assignment).where(Assignment.chore_id == chore.id, *whose))
    if slot is None:
        raise NotFound("chore not found")
    now = now_utc()
    guard = [Assignment.id == slot.id, available_now(now)]
    if not chore.is_pool:
        guard.append(Assignment.assignee_id == child.id)
    claimed = session.execute(
        update(Assignment)
        .where(*guard)
        .values(
            state=COMPLETED,
            assignee_id=child.id,
            completed_at=now,
            approved_at=None,
            approval_reward_cents=None,
            rejection_reason=None,
            available_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        session.rollback()
        current = session.scalar(
            select(Assignment).where(Assignment.id == slot.id).execution_options(populate_existing=True)
        )
        raise Conflict(_why_not_now(current, child, now))
    # Read after the row lock: a parent who paused or deleted the chore meanwhile has committed.
    still = session.execute(
        select(Chore.is_disabled, Chore.deleted_at).where(Chore.id == chore.id).execution_options(populate_existing=True)
    ).one()
    if still.is_disabled or still.deleted_at is not None:
        session.rollback()
        raise NotFound("chore not found")
    session.add(
        Completion(
            chore_id=chore.id,
            assignment_id=slot.id,
            child_id=child.id,
            family_id=chore.family_id,
            status=CompletionStatus.pending.value,
            completed_at=now,
        )
    )
    activity.record(
        session,
        family_id=chore.family_id,
        actor=child,
        activity_type=ActivityType.chore_completed,
        description=f"{child.username} completed {chore.title!r}",
        target_user_id=child.id,
        chore_id=chore.id,
        chore_title=chore.title,
    )
    session.commit()
    metrics.record_chore_completed()
    chore = _reload(session, chore.id)
    return LifecycleResult(chore, _slot_in(chore, slot.id), f"Done! {chore.title!r} is waiting for a parent's approval.")


def _parent_slot(session: Session, parent: User, assignment_id: int) -> Assignment:
    slot = session.scalar(
        select(Assignment)
        .join(Assignment.chore)
        .where(Assignment.id == assignment_id, _family_chores(parent))
        .options(contains_eager(Assignment.chore))
        .execution_options(populate_existing=True)
    )
    if slot is None:
        raise NotFound("assignment not found")
    return slot


def _pending_completion(session: Session, slot: Assignment) -> Completion:
    if slot.state != COMPLETED:
        raise Conflict("nothing to review: this assignment is not waiting for approval")
    completion = session.scalar(
        select(Completion).where(
            Completion.assignment_id == slot.id, Completion.status == CompletionStatus.pending.value
        )
    )
    if completion is None:
        raise Conflict("nothing to review: this assignment is not waiting for approval")
    return completion


def approval_amount_cents(chore: Chore, reward_value: Decimal | None) -> int:
    if chore.is_range_reward:
        low, high = chore.min_reward_cents or 0, chore.max_reward_cents or 0
        if reward_value is None:
            raise InvalidInput(
                f"a range chore needs the amount: reward_value between {from_cents(low)} and {from_cents(high)}",
                field="reward_value",
            )
        cents = to_cents(reward_value)
        if not low <= cents <= high:
            raise InvalidInput(f"must be between {from_cents(low)} and {from_cents(high)}", field="reward_value")
        return cents
    fixed = chore.reward_cents or 0
    if reward_value is not None and to_cents(reward_value) != fixed:
        raise InvalidInput(f"this chore's reward is fixed at {from_cents(fixed)}", field="reward_value")
    return fixed


def _review(session: Session, slot: Assignment, completion: Completion, slot_values: dict, completion_values: dict) -> None:
    """Both conditional updates, slot first (the lock order every path follows)."""
    moved = session.execute(
        update(Assignment)
        .where(Assignment.id == slot.id, Assignment.state == COMPLETED)
        .values(**slot_values)
        .execution_options(synchronize_session=False)
    )
    reviewed = moved.rowcount == 1 and (
        session.execute(
            update(Completion)
            .where(Completion.id == completion.id, Completion.status == CompletionStatus.pending.value)
            .values(**completion_values)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )
    if not reviewed:
        session.rollback()
        raise Conflict("this completion has already been reviewed")


def approve_assignment(
    session: Session, parent: User, assignment_id: int, reward_value: Decimal | None = None
) -> LifecycleResult:
    slot = _parent_slot(session, parent, assignment_id)
    chore = slot.chore
    completion = _pending_completion(session, slot)
    cents = approval_amount_cents(chore, reward_value)
    now = now_utc()
    available_at = now + timedelta(days=chore.cooldown_days or 0) if chore.is_recurring else None
    _review(
        session,
        slot,
        completion,
        {"state": APPROVED, "approved_at": now, "approval_reward_cents": cents, "available_at": available_at},
        {
            "status": CompletionStatus.approved.value,
            "reviewed_at": now,
            "reviewer_id": parent.id,
            "reward_cents": cents,
        },
    )
    entry = ledger.record_earning(session, completion=completion, chore=chore, amount_cents=cents, author=parent)
    child = session.get(User, completion.child_id)
    activity.record(
        session,
        family_id=chore.family_id,
        actor=parent,
        activity_type=ActivityType.chore_approved,
        description=f"{parent.username} approved {chore.title!r} for {child.username if child else 'a child'}: {from_cents(cents)}",
        target_user_id=completion.child_id,
        chore_id=chore.id,
        chore_title=chore.title,
        amount_cents=cents,
        ledger_entry=entry,
    )
    try:
        session.commit()
    except IntegrityError:
        session.rollback()
        raise Conflict("this completion has already been paid") from None
    metrics.record_chore_approved(cents)
    chore = _reload(session, chore.id)
    return LifecycleResult(chore, _slot_in(chore, slot.id), f"Approved: {from_cents(cents)} earned.")


def reject_assignment(session: Session, parent: User, assignment_id: int, reason: str) -> LifecycleResult:
    slot = _parent_slot(session, parent, assignment_id)
    chore = slot.chore
    completion = _pending_completion(session, slot)
    now = now_utc()
    slot_values: dict = {"state": AVAILABLE, "completed_at": None, "rejection_reason": reason}
    if chore.is_pool:
        slot_values["assignee_id"] = None  # back to the pool, for any child
    _review(
        session,
        slot,
        completion,
        slot_values,
        {
            "status": CompletionStatus.rejected.value,
            "reviewed_at": now,
            "reviewer_id": parent.id,
            "rejection_reason": reason,
        },
    )
    activity.record(
        session,
        family_id=chore.family_id,
        actor=parent,
        activity_type=ActivityType.chore_rejected,
        description=f"{parent.username} sent back {chore.title!r}: {reason}",
        target_user_id=completion.child_id,
        chore_id=chore.id,
        chore_title=chore.title,
        note=reason,
    )
    session.commit()
    metrics.record_chore_rejected()
    chore = _reload(session, chore.id)
    return LifecycleResult(chore, _slot_in(chore, slot.id), "Sent back: the chore is available again.")


def _single_pending_slot(session: Session, parent: User, chore_id: int) -> int:
    chore = get_chore(session, parent, chore_id)
    waiting = [slot.id for slot in chore.assignments if slot.state == COMPLETED]
    if not waiting:
        raise Conflict("nothing to review: no completion of this chore is waiting for approval")
    if len(waiting) > 1:
        raise Conflict("several children are waiting for approval; review each assignment")
    return waiting[0]


def approve_chore(session: Session, parent: User, chore_id: int, reward_value: Decimal | None = None) -> LifecycleResult:
    """For older clients: acts on the chore's one assignment waiting for approval."""
    return approve_assignment(session, parent, _single_pending_slot(session, parent, chore_id), reward_value)


def reject_chore(session: Session, parent: User, chore_id: int, reason: str) -> LifecycleResult:
    return reject_assignment(session, parent, _single_pending_slot(session, parent, chore_id), reason)
