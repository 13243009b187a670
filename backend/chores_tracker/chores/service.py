"""A parent's chores: create, edit, pause, delete. No HTTP.

What a viewer may see is in queries.py, the configuration rules in rules.py, completing and
reviewing an assignment in lifecycle.py. An edit or a delete locks the chore's assignment rows
first, in id order, as every path that locks several rows does (see lifecycle.py).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker import clock
from chores_tracker.activity.models import ActivityType
from chores_tracker.chores import feed, occurrences
from chores_tracker.chores.models import AVAILABLE, COMPLETED, POOL, Assignment, AssignmentMode, Chore
from chores_tracker.chores.queries import family_chores, reload_chore
from chores_tracker.chores.rules import ChoreSpec, apply_spec, check_assignees, merged_spec, spec_of
from chores_tracker.chores.schemas import AMOUNTS, ChoreCreate, ChoreUpdate
from chores_tracker.errors import Conflict, NotFound
from chores_tracker.families import service as families
from chores_tracker.identity.models import User
from chores_tracker.money import from_cents


def _parent_chore(session: Session, parent: User, chore_id: int) -> Chore:
    chore = session.scalar(
        select(Chore).where(Chore.id == chore_id, family_chores(parent)).execution_options(populate_existing=True)
    )
    if chore is None:
        raise NotFound("chore not found")
    return chore


def _locked_chore(session: Session, parent: User, chore_id: int) -> tuple[Chore, list[Assignment]]:
    """The family's chore with its assignment rows locked, in id order; the chore is read again
    once they are locked, as it is now."""
    _parent_chore(session, parent, chore_id)  # not found: nothing gets locked
    slots = list(
        session.scalars(
            select(Assignment)
            .where(Assignment.chore_id == chore_id)
            .order_by(Assignment.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    return _parent_chore(session, parent, chore_id), slots


def _refuse_if_waiting(slots: list[Assignment]) -> None:
    """A completion waiting for review is reviewed through its assignment: that one stays until then."""
    if any(slot.state == COMPLETED for slot in slots):
        raise Conflict("a completion of this chore is waiting for approval; approve or reject it first")


def _check_amounts(session: Session, family_id: int, spec: ChoreSpec, *, sent: set[str] | None) -> None:
    """The amounts sent (every one, for a new chore) in the family's currency: none with decimals in JPY.
    An edit leaves the amounts it does not send as they are, whatever the currency is now."""
    amounts = {name: getattr(spec, name) for name in AMOUNTS if sent is None or name in sent}
    if spec.schedule is not None and (sent is None or "schedule" in sent):
        amounts["schedule.missed_penalty_cents"] = from_cents(spec.schedule.missed_penalty_cents)
    families.check_amounts(session, family_id, amounts)


def _new_slots(chore_id: int, spec: ChoreSpec, keep: set[int | None]) -> list[Assignment]:
    wanted: list[int | None] = [None] if spec.assignment_mode == POOL else list(spec.assignee_ids)
    return [Assignment(chore_id=chore_id, assignee_id=who, state=AVAILABLE) for who in wanted if who not in keep]


def _record(
    session: Session, parent: User, chore: Chore, activity_type: ActivityType, verb: str, **details: object
) -> None:
    """The feed row of a parent's change, worded alike for each: "ada paused the chore 'Dishes'"."""
    description = f"{parent.username} {verb} the chore {chore.title!r}"
    feed.record(session, chore, actor=parent, activity_type=activity_type, description=description, **details)


def create_chore(session: Session, parent: User, data: ChoreCreate) -> Chore:
    family = families.require_family(session, parent)
    spec = merged_spec(None, data)
    _check_amounts(session, family.id, spec, sent=None)
    check_assignees(session, parent, spec.assignee_ids)
    chore = Chore(family_id=family.id, creator_id=parent.id, is_disabled=False, schedule_start=clock.now())
    apply_spec(chore, spec)
    session.add(chore)
    session.flush()
    session.add_all(_new_slots(chore.id, spec, keep=set()))
    session.flush()
    occurrences.ensure_occurrences(session, chore)
    single_child = spec.assignee_ids[0] if spec.assignment_mode == AssignmentMode.single.value else None
    _record(session, parent, chore, ActivityType.chore_created, "created", target_user_id=single_child)
    session.commit()
    return reload_chore(session, chore.id)


def update_chore(session: Session, parent: User, chore_id: int, data: ChoreUpdate) -> Chore:
    chore, slots = _locked_chore(session, parent, chore_id)
    occurrences.lock_chore(session, chore.id)  # after the assignments, before its occurrences
    chore_before = spec_of(chore, slots)
    spec = merged_spec(chore_before, data)
    _check_amounts(session, chore.family_id, spec, sent=data.model_fields_set)
    assignees_changed = (spec.assignment_mode, spec.assignee_ids) != (
        chore_before.assignment_mode,
        chore_before.assignee_ids,
    )
    if assignees_changed:
        check_assignees(session, parent, spec.assignee_ids)
        _reassign(session, chore, slots, spec)
    apply_spec(chore, spec)
    if assignees_changed or spec.schedule != chore_before.schedule:
        # Past occurrences stay as they were; the ones to come follow the new schedule.
        session.flush()
        occurrences.replan(session, chore)
    _record(session, parent, chore, ActivityType.chore_updated, "changed")
    session.commit()
    return reload_chore(session, chore.id)


def _reassign(session: Session, chore: Chore, slots: list[Assignment], spec: ChoreSpec) -> None:
    """Removes the assignments the new configuration drops and adds the ones it needs. A child
    who stays keeps its assignment (and its cooldown); history stays in chore_completions."""
    if chore.is_pool or spec.assignment_mode == POOL:
        dropped = list(slots)  # into or out of the pool: the slots are of another kind
    else:
        dropped = [slot for slot in slots if slot.assignee_id not in spec.assignee_ids]
    _refuse_if_waiting(dropped)
    for slot in dropped:
        session.delete(slot)
    session.flush()  # the old rows go before new ones reuse their (chore, child) pair
    kept = {slot.assignee_id for slot in slots if slot not in dropped}
    session.add_all(_new_slots(chore.id, spec, keep=kept))


def set_disabled(session: Session, parent: User, chore_id: int, disabled: bool) -> Chore:
    _parent_chore(session, parent, chore_id)
    chore = occurrences.lock_chore(session, chore_id) or _parent_chore(session, parent, chore_id)
    if chore.is_disabled != disabled:
        chore.is_disabled = disabled
        if disabled:
            # Paused: nothing of it falls due, nothing is missed.
            occurrences.close_open(session, chore.id)
            _record(session, parent, chore, ActivityType.chore_disabled, "paused")
        else:
            # Resumed: due again from now on, never for the days it was paused.
            chore.schedule_start = clock.now()
            session.flush()
            occurrences.ensure_occurrences(session, chore)
            _record(session, parent, chore, ActivityType.chore_enabled, "resumed")
        session.commit()
    return reload_chore(session, chore.id)


def delete_chore(session: Session, parent: User, chore_id: int) -> None:
    """Hides the chore for good. Its completions stay (history, reports) and the ledger keeps
    every amount earned with its own copy of the title."""
    chore, slots = _locked_chore(session, parent, chore_id)
    _refuse_if_waiting(slots)
    occurrences.lock_chore(session, chore.id)
    chore.deleted_at = clock.now()
    occurrences.close_open(session, chore.id)
    _record(session, parent, chore, ActivityType.chore_deleted, "deleted")
    session.commit()
