"""The lifecycle of an assignment: a child completes it, a parent approves (the reward is earned)
or rejects it (it is available again). Each transition writes its activity and metrics; an
approval adds the earning to the ledger. No HTTP.

Concurrency: every transition is a conditional UPDATE of the assignment row
(`... WHERE state = <expected>`). On PostgreSQL and MariaDB/MySQL (READ COMMITTED) a second,
concurrent transition waits for the first one's row lock, then finds the state changed and
updates nothing; it answers Conflict. So a double-clicked "done" completes once, two children
racing for a pool chore leave one winner, and two parents approving at once pay once (the
ledger's unique completion_id is the last guard). Paths that lock several rows take the
assignment rows first (in id order) and the chore row after, so they cannot deadlock.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from functools import cache, cached_property
from typing import Generic, TypeVar, cast

from sqlalchemy import BindParameter, Table, Update, and_, bindparam, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, contains_eager

from chores_tracker import clock
from chores_tracker.activity.models import ActivityType
from chores_tracker.chores import feed, occurrences, streaks
from chores_tracker.chores.models import APPROVED, AVAILABLE, COMPLETED, Assignment, Chore, Completion, CompletionStatus
from chores_tracker.chores.queries import (
    MAX_LIST,
    available_now,
    childs_chore_and_slot,
    chores_of_family,
    get_chore,
    pending_approvals,
    reload_chore,
    slot_in,
    visible_chore,
)
from chores_tracker.chores.states import effective_state
from chores_tracker.db.base import UTCDateTime
from chores_tracker.db.engine import rows_changed
from chores_tracker.db.rows import insert_now
from chores_tracker.errors import Conflict, DomainError, InvalidInput, NotFound
from chores_tracker.families import service as families
from chores_tracker.families.models import Family
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.ledger.models import LedgerEntry
from chores_tracker.money import from_cents, to_cents
from chores_tracker.notifications import webhooks
from chores_tracker.observability import metrics


class LifecycleResult:
    """What a change did, after its commit: the chore and the assignment it changed (read back, as
    committed, only when first asked for: the API's answers read them their own lean way, by id,
    in chores/reads.py), what it earned, if anything, and the message for the one who did it."""

    def __init__(
        self, session: Session, chore_id: int, assignment_id: int, message: str, earned_cents: int | None = None
    ) -> None:
        self._session = session
        self.chore_id = chore_id
        self.assignment_id = assignment_id
        self.message = message
        self.earned_cents = earned_cents

    @cached_property
    def chore(self) -> Chore:
        return reload_chore(self._session, self.chore_id)

    @property
    def assignment(self) -> Assignment:
        return slot_in(self.chore, self.assignment_id)


# -- statements built once: composing them on every change cost more client CPU than running them --

# The child's own slot of the chore (of a pool chore: while the child holds it).
_OWN_SLOT = select(Assignment).where(
    Assignment.chore_id == bindparam("chore_id"), Assignment.assignee_id == bindparam("child_id")
)


# The conditional UPDATEs are Core statements, of the tables' own columns: the ORM annotates an UPDATE
# of mapped attributes anew at every execution, and its cache key is then computed again each time
# (docs/performance.md, "The writes"). They change rows no object of the session is expected to hold
# changed, as synchronize_session=False did before.
_SLOTS = cast(Table, Assignment.__table__)
_COMPLETIONS = cast(Table, Completion.__table__)


def _claim(pool: bool) -> Update:
    """A completion's conditional UPDATE: the slot, if it may be done now (and, but for the pool, is the child's)."""
    now = bindparam("now", type_=UTCDateTime())
    child_id: BindParameter[int] = bindparam("child_id")
    guard = [_SLOTS.c.id == bindparam("slot_id"), available_now(now, _SLOTS.c)]
    if not pool:
        guard.append(_SLOTS.c.assignee_id == child_id)
    return (
        update(_SLOTS)
        .where(*guard)
        .values(
            state=COMPLETED,
            assignee_id=child_id,
            completed_at=now,
            approved_at=None,
            approval_reward_cents=None,
            rejection_reason=None,
            available_at=None,
        )
    )


_CLAIM = {pool: _claim(pool) for pool in (False, True)}
_STILL_THERE = (
    select(Chore.is_disabled, Chore.deleted_at)
    .where(Chore.id == bindparam("chore_id"))
    .execution_options(populate_existing=True)
)
# A review reads, in one statement: the family's assignment with its chore, the completion waiting
# for review (none when the assignment is not waiting), the family (the approval reads its streak
# bonus, chores/streaks.py, and makes the next occurrence in its zone), the child's username (the
# approval's feed row names it) and whether the family has a webhook to tell. As read now (populate_existing).
_REVIEWABLE = (
    select(Assignment, Completion, Family, User.username, webhooks.any_enabled(Family.id))
    .join(Assignment.chore)
    .join(Family, Family.id == Chore.family_id)
    .outerjoin(
        Completion,
        and_(Completion.assignment_id == Assignment.id, Completion.status == CompletionStatus.pending.value),
    )
    .outerjoin(User, User.id == Completion.child_id)
    .where(Assignment.id == bindparam("assignment_id"), chores_of_family(bindparam("family_id")))
    .options(contains_eager(Assignment.chore))
    .execution_options(populate_existing=True)
)


@cache
def _slot_moved(changed: tuple[str, ...], held: bool) -> Update:
    """A review's conditional UPDATE of the slot (waiting for review; `held`: still the child's),
    one statement per shape of change (its columns)."""
    slot_is_waiting = [_SLOTS.c.id == bindparam("slot_id"), _SLOTS.c.state == COMPLETED]
    if held:
        slot_is_waiting.append(_SLOTS.c.assignee_id == bindparam("held_by"))
    return update(_SLOTS).where(*slot_is_waiting).values({name: bindparam(f"set_{name}") for name in changed})


@cache
def _completion_reviewed(changed: tuple[str, ...]) -> Update:
    """A review's conditional UPDATE of the completion (still pending), one per shape of change."""
    return (
        update(_COMPLETIONS)
        .where(_COMPLETIONS.c.id == bindparam("completion_id"), _COMPLETIONS.c.status == CompletionStatus.pending.value)
        .values({name: bindparam(f"set_{name}") for name in ("status", "reviewed_at", "reviewer_id", *changed)})
    )


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
    found = childs_chore_and_slot(session, child, chore_id)
    if found is None:
        raise NotFound("chore not found")
    chore, slot = found.chore, found.slot
    if not found.family_has_webhooks:
        webhooks.none_in_this_transaction(session, chore.family_id)
    now = clock.now()
    claimed = session.execute(_CLAIM[chore.is_pool], {"slot_id": slot.id, "child_id": child.id, "now": now})
    if rows_changed(claimed) != 1:
        session.rollback()
        current = session.scalar(
            select(Assignment).where(Assignment.id == slot.id).execution_options(populate_existing=True)
        )
        raise Conflict(_why_not_now(current, child, now))
    # Read after the row lock: a parent who paused or deleted the chore meanwhile has committed.
    still = session.execute(_STILL_THERE, {"chore_id": chore.id}).one()
    if still.is_disabled or still.deleted_at is not None:
        session.rollback()
        raise NotFound("chore not found")
    completion = insert_now(
        session,
        Completion(
            chore_id=chore.id,
            assignment_id=slot.id,
            child_id=child.id,
            family_id=chore.family_id,
            status=CompletionStatus.pending.value,
            completed_at=now,
        ),
    )
    try:
        occurrences.attach_completion(session, chore, child, completion)
    except Conflict:
        session.rollback()
        raise
    feed.record(
        session,
        chore,
        actor=child,
        activity_type=ActivityType.chore_completed,
        description=f"{child.username} completed {chore.title!r}",
        target_user_id=child.id,
        completion_id=completion.id,
    )
    auto_cents = _approve_automatically(session, chore, slot, completion, child, now)
    session.commit()
    metrics.record_chore_completed()
    if auto_cents is not None:
        metrics.record_chore_approved(auto_cents)
    message = (
        f"Done! {chore.title!r} is waiting for a parent's approval."
        if auto_cents is None
        else f"Done and approved: {from_cents(auto_cents)} earned."
    )
    return LifecycleResult(session, chore.id, slot.id, message, auto_cents)


def _approve_automatically(
    session: Session, chore: Chore, slot: Assignment, completion: Completion, child: User, now: datetime
) -> int | None:
    """A chore with auto_approve (a fixed reward) is approved in the completion's own transaction,
    by nobody (reviewer and the earning's author are null), through the approval's own writes.
    Returns the amount earned, or None when the chore waits for a parent."""
    if not chore.auto_approve or chore.is_range_reward:
        return None
    entry = _approve(session, slot, completion, chore, chore.reward_cents or 0, reviewer=None, now=now)
    _feed_approval(
        session,
        chore,
        entry,
        actor=child,
        activity_type=ActivityType.chore_auto_approved,
        description=f"{chore.title!r} was approved automatically for {child.name}: {from_cents(entry.amount_cents)}",
    )
    return entry.amount_cents


TAKEN_BACK = "taken back by the child before review"


def take_back(session: Session, child: User, chore_id: int) -> LifecycleResult:
    """A child takes back its "done" while it waits for review: the assignment is available again
    (a pool's, for any child), the completion is closed unpaid (status rejected, reviewed by the
    child itself, reason TAKEN_BACK: no row is deleted) and its occurrence is open again. The same
    conditional updates as a review (assignment first, then completion), so of a take-back and an
    approval at the same moment exactly one happens; the other answers 409."""
    chore = visible_chore(session, child, chore_id)
    if chore is None:
        raise NotFound("chore not found")
    slot = session.scalar(_OWN_SLOT, {"chore_id": chore.id, "child_id": child.id})
    completion = (
        session.scalar(
            select(Completion).where(
                Completion.assignment_id == slot.id,
                Completion.child_id == child.id,
                Completion.status == CompletionStatus.pending.value,
            )
        )
        if slot is not None
        else None
    )
    if slot is None or completion is None:
        raise Conflict("nothing to take back: this chore is not waiting for review")
    now = clock.now()
    slot_values: dict[str, object] = {"state": AVAILABLE, "completed_at": None}
    if chore.is_pool:
        slot_values["assignee_id"] = None  # back to the pool, for any child
    _review(
        session,
        slot,
        completion,
        reviewer=child,
        now=now,
        status=CompletionStatus.rejected,
        slot_values=slot_values,
        held_by=child,
        conflict="too late to take it back: a parent has just reviewed it",
        rejection_reason=TAKEN_BACK,
    )
    occurrences.taken_back(session, chore, completion, now)
    feed.record(
        session,
        chore,
        actor=child,
        activity_type=ActivityType.chore_taken_back,
        description=f"{child.name} took back {chore.title!r}: not done after all",
        target_user_id=child.id,
    )
    session.commit()
    return LifecycleResult(session, chore.id, slot.id, f"Taken back: {chore.title!r} is yours to do again.")


@dataclass(frozen=True)
class _Waiting:
    slot: Assignment
    completion: Completion
    family: Family
    child_username: str | None


def _waiting_for_review(session: Session, parent: User, assignment_id: int) -> _Waiting:
    """The family's assignment (with its chore), its completion waiting for review, the family and the child's username."""
    found = (
        session.execute(_REVIEWABLE, {"assignment_id": assignment_id, "family_id": parent.family_id}).first()
        if parent.family_id is not None
        else None
    )
    if found is None:
        raise NotFound("assignment not found")
    slot, completion, family, child_username, family_has_webhooks = found
    if slot.state != COMPLETED or completion is None:
        raise Conflict("nothing to review: this assignment is not waiting for approval")
    if not family_has_webhooks:
        webhooks.none_in_this_transaction(session, family.id)
    return _Waiting(slot, completion, family, child_username)


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


def _review(
    session: Session,
    slot: Assignment,
    completion: Completion,
    *,
    reviewer: User | None,
    now: datetime,
    status: CompletionStatus,
    slot_values: dict[str, object],
    held_by: User | None = None,
    conflict: str = "this completion has already been reviewed",
    **completion_values: object,
) -> None:
    """Both conditional updates, slot first (the lock order every path follows). `held_by`: the
    slot must still be that child's (a take-back); `conflict`: what the loser of a race is told."""
    moved = session.execute(
        _slot_moved(tuple(slot_values), held_by is not None),
        {
            "slot_id": slot.id,
            "held_by": held_by.id if held_by is not None else None,
            **{f"set_{name}": value for name, value in slot_values.items()},
        },
    )
    reviewed = rows_changed(moved) == 1 and (
        rows_changed(
            session.execute(
                _completion_reviewed(tuple(completion_values)),
                {
                    "completion_id": completion.id,
                    "set_status": status.value,
                    "set_reviewed_at": now,
                    "set_reviewer_id": reviewer.id if reviewer is not None else None,
                    **{f"set_{name}": value for name, value in completion_values.items()},
                },
            )
        )
        == 1
    )
    if not reviewed:
        session.rollback()
        raise Conflict(conflict)


def _approve(
    session: Session,
    slot: Assignment,
    completion: Completion,
    chore: Chore,
    cents: int,
    *,
    reviewer: User | None,
    now: datetime,
    family: Family | None = None,
) -> LedgerEntry:
    """The approval's writes, in the caller's transaction (the caller adds its feed row and commits):
    both conditional updates, the occurrence, when it may be done again, and the earning.
    `reviewer` None: approved automatically (the chore's auto_approve). The family's streak bonus,
    if it has one, is added to `cents` (chores/streaks.py): the earning's amount is what was paid."""
    family = family or session.get_one(Family, completion.family_id)
    cents += streaks.streak_bonus_cents(session, family, completion.child_id, cents, now)
    # When it may be done again, by its schedule (after completion: the cooldown, as always).
    available_at = occurrences.available_again_at(session, chore, completion, now)
    _review(
        session,
        slot,
        completion,
        reviewer=reviewer,
        now=now,
        status=CompletionStatus.approved,
        slot_values={
            "state": APPROVED,
            "approved_at": now,
            "approval_reward_cents": cents,
            "available_at": available_at,
        },
        reward_cents=cents,
    )
    occurrences.approved(session, chore, completion, now, family, available_at)
    return ledger.record_earning(
        session,
        family_id=completion.family_id,
        child_id=completion.child_id,
        amount_cents=cents,
        author=reviewer,
        completion_id=completion.id,
        chore_id=chore.id,
        chore_title=chore.title,
    )


def _feed_approval(
    session: Session, chore: Chore, entry: LedgerEntry, *, actor: User, activity_type: ActivityType, description: str
) -> None:
    """An approval's feed row, by a parent or automatic: for the child paid, with the earning's
    amount (any streak bonus in it) and its ledger row."""
    feed.record(
        session,
        chore,
        actor=actor,
        activity_type=activity_type,
        description=description,
        target_user_id=entry.child_id,
        amount_cents=entry.amount_cents,
        ledger_entry_id=entry.id,
    )


def approve_assignment(
    session: Session, parent: User, assignment_id: int, reward_value: Decimal | None = None
) -> LifecycleResult:
    waiting = _waiting_for_review(session, parent, assignment_id)
    slot, completion, family = waiting.slot, waiting.completion, waiting.family
    chore = slot.chore
    families.check_amounts(session, chore.family_id, {"reward_value": reward_value})
    cents = approval_amount_cents(chore, reward_value)
    try:
        entry = _approve(session, slot, completion, chore, cents, reviewer=parent, now=clock.now(), family=family)
        cents = entry.amount_cents  # with any streak bonus
        child = waiting.child_username or "a child"
        _feed_approval(
            session,
            chore,
            entry,
            actor=parent,
            activity_type=ActivityType.chore_approved,
            description=f"{parent.username} approved {chore.title!r} for {child}: {from_cents(cents)}",
        )
        session.commit()
    except IntegrityError:  # the ledger's unique completion_id: the last guard against paying twice
        session.rollback()
        raise Conflict("this completion has already been paid") from None
    metrics.record_chore_approved(cents)
    return LifecycleResult(session, chore.id, slot.id, f"Approved: {from_cents(cents)} earned.", cents)


def reject_assignment(session: Session, parent: User, assignment_id: int, reason: str) -> LifecycleResult:
    waiting = _waiting_for_review(session, parent, assignment_id)
    slot, completion = waiting.slot, waiting.completion
    chore = slot.chore
    slot_values: dict[str, object] = {"state": AVAILABLE, "completed_at": None, "rejection_reason": reason}
    if chore.is_pool:
        slot_values["assignee_id"] = None  # back to the pool, for any child
    _review(
        session,
        slot,
        completion,
        reviewer=parent,
        now=clock.now(),
        status=CompletionStatus.rejected,
        slot_values=slot_values,
        rejection_reason=reason,
    )
    occurrences.rejected(session, chore, completion)
    feed.record(
        session,
        chore,
        actor=parent,
        activity_type=ActivityType.chore_rejected,
        description=f"{parent.username} sent back {chore.title!r}: {reason}",
        target_user_id=completion.child_id,
        note=reason,
    )
    session.commit()
    metrics.record_chore_rejected()
    return LifecycleResult(session, chore.id, slot.id, "Sent back: the chore is available again.")


def _single_pending_slot(session: Session, parent: User, chore_id: int) -> int:
    chore = get_chore(session, parent, chore_id)
    waiting = [slot.id for slot in chore.assignments if slot.state == COMPLETED]
    if not waiting:
        raise Conflict("nothing to review: no completion of this chore is waiting for approval")
    if len(waiting) > 1:
        raise Conflict("several children are waiting for approval; review each assignment")
    return waiting[0]


def approve_chore(
    session: Session, parent: User, chore_id: int, reward_value: Decimal | None = None
) -> LifecycleResult:
    """For older clients: acts on the chore's one assignment waiting for approval."""
    return approve_assignment(session, parent, _single_pending_slot(session, parent, chore_id), reward_value)


def reject_chore(session: Session, parent: User, chore_id: int, reason: str) -> LifecycleResult:
    return reject_assignment(session, parent, _single_pending_slot(session, parent, chore_id), reason)


ShownT = TypeVar("ShownT")


@dataclass(frozen=True)
class BulkReview(Generic[ShownT]):
    """What approving several at once did: each approval on its own, in its own transaction, as
    the caller's `present` showed it right after it (a later rollback expires the rows it read)."""

    approved: list[ShownT]
    skipped: list[tuple[int, str]]  # (assignment id, why)
    total_cents: int


def approve_many(
    session: Session,
    parent: User,
    assignment_ids: list[int] | None,
    present: Callable[[LifecycleResult], ShownT],
) -> BulkReview[ShownT]:
    """A parent approves the given assignments, or every one waiting for review in the family (None),
    each at its fixed reward. Each is approve_assignment on its own: the same conditional updates and
    the ledger's unique completion_id, so an assignment another parent (or a child's take-back, or
    the same parent's other tab) got to first is skipped with the reason, and none is paid twice.
    A range chore needs its amount: it is skipped, to be approved on its own."""
    if assignment_ids is None:
        assignment_ids = [item.assignment.id for item in pending_approvals(session, parent, limit=MAX_LIST)]
    approved: list[ShownT] = []
    skipped: list[tuple[int, str]] = []
    total = 0
    for assignment_id in dict.fromkeys(assignment_ids):  # in the order given, each once
        try:
            result = approve_assignment(session, parent, assignment_id)
        except DomainError as exc:
            session.rollback()
            reason = exc.message
            if isinstance(exc, InvalidInput) and exc.field == "reward_value":
                reason = "a range chore: approve it on its own with the amount"
            skipped.append((assignment_id, reason))
            continue
        total += result.earned_cents or 0
        approved.append(present(result))
    return BulkReview(approved, skipped, total)
