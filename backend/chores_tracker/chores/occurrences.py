"""A chore's occurrences: each due date of its schedule, with its own state. No HTTP.

The arithmetic is schedule.py's (the family's zone, DST-correct); this module stores its answers and
moves them through their states. The public functions, for the API and the pages:

- `list_occurrences(session, viewer, date_from, date_to, child_id=None)` -> [OccurrenceView]: the
  occurrences whose due date (family-local) is in the range, with their state now; a parent sees the
  family's, a child its own and the pool's.
- `agenda(session, child, now=None)` -> Agenda(today, overdue, coming_up): a child's day.
- `skip_occurrence(session, parent, occurrence_id)` and `snooze_occurrence(session, parent,
  occurrence_id, days)` -> OccurrenceView: a parent's action on one occurrence.
- `ensure_occurrences(session, chore, now)` -> int: makes the occurrences a calendar schedule has up
  to HORIZON_DAYS ahead (at least the next one of each lane); the time step and every edit call it.
- `family_zone(session, family_id)` -> ZoneInfo.

States: upcoming -> due (from the start of its local day, or its lead time if earlier) -> overdue
(after the due time plus grace) -> missed (when the next occurrence starts, at most 7 days later;
the time step charges the penalty once). done (waiting for review) -> approved, or rejected (due
again). A parent may skip or snooze an open one. An occurrence of a "once" or "after completion"
schedule has no next one: it stays overdue until done and is never missed.

Lanes: a chore each assigned child does has a lane per child (lane = the child's id); a pool chore
and a rotation have one lane (0), whose occurrences each name a child (a rotation: chosen when the
occurrence is made; the pool: whoever does it).

Locks: paths that change a chore's occurrences take the chore row first (after the chore's
assignment rows, where they take those), so an edit, a resume and the time step cannot deadlock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import cast
from zoneinfo import ZoneInfo

from sqlalchemy import (
    ColumnElement,
    Insert,
    Integer,
    Select,
    Table,
    Update,
    and_,
    bindparam,
    delete,
    func,
    or_,
    select,
    true,
    update,
)
from sqlalchemy.orm import Session, contains_eager

from chores_tracker import clock, timezones
from chores_tracker.chores.models import (
    OPEN_OCCURRENCE_STATES,
    POOL,
    Assignment,
    ChildPause,
    Chore,
    ChoreOccurrence,
    Completion,
    OccurrenceState,
)
from chores_tracker.chores.queries import family_chores
from chores_tracker.chores.schedule import (
    Occurrence,
    Rotation,
    ScheduleKind,
    ScheduleSpec,
    due_after,
    due_dates,
    local_date,
    local_instant,
    next_due,
    occurrence,
)
from chores_tracker.chores.states import schedule_of
from chores_tracker.chores.turns import is_rotation
from chores_tracker.db.base import UTCDateTime
from chores_tracker.db.engine import rows_changed
from chores_tracker.db.upserts import insert_or_update
from chores_tracker.errors import Conflict, InvalidInput, NotFound
from chores_tracker.families.models import Family
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User

# How far ahead occurrences are made (and so listed and in the calendar feed).
HORIZON_DAYS = 28
# An overdue occurrence is missed when the next one starts, and at the latest this long after.
MISSED_AFTER_AT_MOST = timedelta(days=7)
# The longest range GET /occurrences answers, and the longest snooze.
MAX_RANGE_DAYS = 93
MAX_SNOOZE_DAYS = 28

UPCOMING = OccurrenceState.upcoming.value
DUE = OccurrenceState.due.value
OVERDUE = OccurrenceState.overdue.value
DONE = OccurrenceState.done.value
APPROVED = OccurrenceState.approved.value
REJECTED = OccurrenceState.rejected.value
SKIPPED = OccurrenceState.skipped.value
MISSED = OccurrenceState.missed.value


def family_zone(session: Session, family_id: int) -> ZoneInfo:
    return timezones.zone(session.scalar(select(Family.timezone).where(Family.id == family_id)))


def is_calendar(spec: ScheduleSpec) -> bool:
    """Whether the schedule has dates of its own (an after-completion one is due from each completion)."""
    return spec.kind != ScheduleKind.after_completion


def due_from(item: Occurrence, zone: ZoneInfo) -> datetime:
    """When an occurrence becomes due: the start of its local day, or its lead time if that is earlier."""
    return min(item.due_soon_from, local_instant(item.on, time.min, zone))


def _missed_at(spec: ScheduleSpec, item: Occurrence, zone: ZoneInfo) -> datetime | None:
    if spec.kind in (ScheduleKind.once, ScheduleKind.after_completion):
        return None
    latest = item.overdue_after + MISSED_AFTER_AT_MOST
    following = next_due(spec, zone, item.due_at)
    starts = due_from(following, zone) if following is not None else latest
    return max(item.overdue_after, min(starts, latest))


def state_now(row: ChoreOccurrence, now: datetime) -> str:
    """An occurrence's state at `now`, whether or not the time step has run since: the stored state
    moved on by its instants (only the time step marks one missed, as it charges the penalty)."""
    state = row.state
    if state == UPCOMING and row.due_from <= now:
        state = DUE
    if state in (DUE, REJECTED) and row.overdue_at <= now:
        state = OVERDUE
    return state


# -- pauses ---------------------------------------------------------------------------------------


def paused_days(session: Session, child_ids: list[int], first: date, last: date) -> dict[int, list[tuple[date, date]]]:
    """The pauses of these children that touch [first, last], by child."""
    if not child_ids:
        return {}
    rows = session.execute(
        select(ChildPause.child_id, ChildPause.first_day, ChildPause.last_day).where(
            ChildPause.child_id.in_(child_ids), ChildPause.first_day <= last, ChildPause.last_day >= first
        )
    )
    found: dict[int, list[tuple[date, date]]] = {}
    for child_id, start, end in rows:
        found.setdefault(child_id, []).append((start, end))
    return found


def is_paused_on(session: Session, child_id: int, day: date) -> bool:
    return bool(paused_days(session, [child_id], day, day))


def _is_paused(pauses: dict[int, list[tuple[date, date]]], child_id: int | None, day: date) -> bool:
    return child_id is not None and any(start <= day <= end for start, end in pauses.get(child_id, ()))


# -- making occurrences ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lane:
    lane: int
    child_id: int | None  # the lane's child; None for the chore's one lane


def _lanes(chore: Chore, spec: ScheduleSpec, slots: list[Assignment]) -> list[_Lane]:
    if chore.assignment_mode == POOL or spec.rotation != Rotation.none:
        return [_Lane(0, None)]
    return [_Lane(slot.assignee_id, slot.assignee_id) for slot in slots if slot.assignee_id is not None]


def _rotation_order(slots: list[Assignment]) -> list[int]:
    """The children a rotation goes round, in the order they were assigned."""
    return [slot.assignee_id for slot in sorted(slots, key=lambda slot: slot.id) if slot.assignee_id is not None]


def _choose(
    session: Session,
    chore: Chore,
    spec: ScheduleSpec,
    order: list[int],
    day: date,
    pauses: dict[int, list[tuple[date, date]]],
    previous: int | None,
) -> int | None:
    """The child whose turn an occurrence of a rotation is; None when every child is paused that day."""
    present = [child for child in order if not _is_paused(pauses, child, day)]
    if not present:
        return None
    if spec.rotation == Rotation.round_robin:
        if previous not in order:
            return present[0]
        start = order.index(previous) + 1
        for child in order[start:] + order[:start]:
            if child in present:
                return child
    if spec.rotation == Rotation.least_done:
        counts = dict(
            session.execute(
                select(ChoreOccurrence.child_id, func.count())
                .where(
                    ChoreOccurrence.chore_id == chore.id,
                    ChoreOccurrence.state.in_([DONE, APPROVED]),
                    ChoreOccurrence.child_id.in_(present),
                )
                .group_by(ChoreOccurrence.child_id)
            ).all()
        )
        assigned = dict(
            session.execute(
                select(ChoreOccurrence.child_id, func.count())
                .where(
                    ChoreOccurrence.chore_id == chore.id,
                    ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES),
                    ChoreOccurrence.child_id.in_(present),
                )
                .group_by(ChoreOccurrence.child_id)
            ).all()
        )
        # Done so far, then turns already given and not yet done, then the set order.
        return min(present, key=lambda child: (counts.get(child, 0), assigned.get(child, 0), order.index(child)))
    # random: the same answer for the same chore and day, whoever asks (two runners agree).
    return random.Random(f"{chore.id}:{day.isoformat()}").choice(present)  # noqa: S311 (fairness, not secrecy)


def stand_in(session: Session, chore: Chore, spec: ScheduleSpec, day: date, away: int | None) -> int | None:
    """Who takes a rotation's turn on `day` instead of `away` (paused): the child the rotation
    would choose next among those present; None when nobody else is."""
    order = _rotation_order(_slots(session, chore.id))
    pauses = paused_days(session, order, day, day)
    if away is not None:
        pauses.setdefault(away, []).append((day, day))
    return _choose(session, chore, spec, order, day, pauses, away)


def _new_values(
    chore: Chore, spec: ScheduleSpec, item: Occurrence, zone: ZoneInfo, lane: int, child_id: int | None, state: str
) -> dict[str, object]:
    """The columns of a new occurrence of `item`."""
    now = clock.now()
    return {
        "chore_id": chore.id,
        "family_id": chore.family_id,
        "lane": lane,
        "child_id": child_id,
        "due_on": item.on,
        "due_from": due_from(item, zone),
        "due_at": item.due_at,
        "overdue_at": item.overdue_after,
        "missed_at": _missed_at(spec, item, zone),
        "state": state,
        "missed_penalty_cents": spec.missed_penalty_cents,
        "timezone": zone.key,
        "created_at": now,
        "updated_at": now,
    }


def _new_row(
    chore: Chore, spec: ScheduleSpec, item: Occurrence, zone: ZoneInfo, lane: int, child_id: int | None, state: str
) -> ChoreOccurrence:
    return ChoreOccurrence(**_new_values(chore, spec, item, zone, lane, child_id, state))


def _slots(session: Session, chore_id: int) -> list[Assignment]:
    return list(session.scalars(select(Assignment).where(Assignment.chore_id == chore_id).order_by(Assignment.id)))


def ensure_occurrences(session: Session, chore: Chore, now: datetime | None = None) -> int:
    """Adds the occurrences of a calendar schedule that are missing, from the schedule's start (or
    the lane's last occurrence) through HORIZON_DAYS ahead, and at least the next one of each lane.
    Days missed while nothing ran are made too (the time step then marks them missed): nothing is
    lost. A paused child's days are made skipped. Returns how many it added; the caller commits.

    The caller holds the chore row's lock (lock_chore) when others may add at the same time; the
    unique (chore, lane, date) key is the last guard."""
    now = now or clock.now()
    spec = schedule_of(chore)
    if not is_calendar(spec) or chore.is_disabled or chore.deleted_at is not None:
        return 0
    zone = family_zone(session, chore.family_id)
    start = chore.schedule_start or chore.created_at
    slots = _slots(session, chore.id)
    lanes = _lanes(chore, spec, slots)
    if not lanes:
        return 0
    last_by_lane = {
        lane: (due_on, due_at)
        for lane, due_on, due_at in session.execute(
            select(ChoreOccurrence.lane, func.max(ChoreOccurrence.due_on), func.max(ChoreOccurrence.due_at))
            .where(ChoreOccurrence.chore_id == chore.id)
            .group_by(ChoreOccurrence.lane)
        )
    }
    horizon = now + timedelta(days=HORIZON_DAYS)
    first_day = local_date(start, zone) - timedelta(days=2)  # a date-only day is due when it ends
    end_day = local_date(horizon, zone) + timedelta(days=366 * 31)  # next_due's own horizon
    children = [lane.child_id for lane in lanes if lane.child_id is not None] or _rotation_order(slots)
    pauses = paused_days(session, children, first_day, local_date(horizon, zone) + timedelta(days=400))
    order = _rotation_order(slots)
    added = 0
    for lane in lanes:
        last, last_due_at = last_by_lane.get(lane.lane, (None, None))
        previous = _previous_child(session, chore.id) if lane.lane == 0 and spec.rotation != Rotation.none else None
        # The lane's last occurrence is to come: the horizon alone decides how far to go. "To come"
        # is the same test as for the rows made below (due after now), so that a step at the very
        # instant one falls due makes the next one whether or not it made that one itself.
        have_future = last_due_at is not None and last_due_at > now
        for day in due_dates(spec, max(first_day, last + timedelta(days=1)) if last else first_day, end_day):
            item = occurrence(spec, day, zone)
            if item.due_at <= start:
                continue  # before the schedule was set: never due
            if due_from(item, zone) > horizon and have_future:
                break
            child, state = lane.child_id, UPCOMING
            if spec.rotation != Rotation.none and chore.assignment_mode != POOL:
                child = _choose(session, chore, spec, order, day, pauses, previous)
                previous = child if child is not None else previous
                state = UPCOMING if child is not None else SKIPPED
            elif _is_paused(pauses, child, day):
                state = SKIPPED
            session.add(_new_row(chore, spec, item, zone, lane.lane, child, state))
            if spec.rotation == Rotation.least_done:
                session.flush()  # the next turn counts this one
            added += 1
            have_future = have_future or item.due_at > now
    if added:
        session.flush()
    return added


def _previous_child(session: Session, chore_id: int) -> int | None:
    return session.scalar(
        select(ChoreOccurrence.child_id)
        .where(ChoreOccurrence.chore_id == chore_id, ChoreOccurrence.lane == 0, ChoreOccurrence.child_id.is_not(None))
        .order_by(ChoreOccurrence.due_on.desc())
        .limit(1)
    )


def retime(session: Session, chore: Chore, now: datetime | None = None) -> int:
    """After the family changed its zone: the chore's occurrences not yet due (upcoming, or due but
    not yet overdue) that were timed in another zone are timed again in the family's, on the same
    local dates (and snoozes). Returns how many; the caller holds the chore's lock and commits."""
    now = now or clock.now()
    zone = family_zone(session, chore.family_id)
    rows = list(
        session.scalars(
            select(ChoreOccurrence).where(
                ChoreOccurrence.chore_id == chore.id,
                ChoreOccurrence.timezone != zone.key,
                ChoreOccurrence.state.in_([UPCOMING, DUE, REJECTED]),
                ChoreOccurrence.overdue_at > now,
            )
        )
    )
    spec = schedule_of(chore)
    for row in rows:
        item = occurrence(spec, row.due_on + timedelta(days=row.snoozed_days), zone)
        starts = due_from(item, zone)
        if spec.kind == ScheduleKind.after_completion:
            starts = min(row.due_from, item.due_at)  # due from its cooldown's end, an instant in any zone
        row.due_from, row.due_at, row.overdue_at = starts, item.due_at, item.overdue_after
        missed = _missed_at(spec, item, zone)
        row.missed_at = missed
        row.timezone = zone.key
        row.updated_at = now
        if row.state == DUE and starts > now:
            row.state = UPCOMING
    if rows:
        session.flush()
    return len(rows)


def needs_retime(session: Session, chore: Chore, zone: ZoneInfo) -> bool:
    return (
        session.scalar(
            select(ChoreOccurrence.id)
            .where(
                ChoreOccurrence.chore_id == chore.id,
                ChoreOccurrence.timezone != zone.key,
                ChoreOccurrence.state.in_([UPCOMING, DUE, REJECTED]),
            )
            .limit(1)
        )
        is not None
    )


def lock_chore(session: Session, chore_id: int) -> Chore | None:
    """The chore row, locked until the transaction ends (PostgreSQL, MariaDB/MySQL), as it is now."""
    return session.scalar(
        select(Chore).where(Chore.id == chore_id).with_for_update().execution_options(populate_existing=True)
    )


def replan(session: Session, chore: Chore, now: datetime | None = None) -> None:
    """After a change of schedule or assignees: the occurrences not begun yet (upcoming, and not due
    before now) go, and the new schedule's take their place from now on. Past occurrences, and the
    ones done, skipped or missed, stay as they are. The caller holds the chore's lock and commits."""
    now = now or clock.now()
    session.execute(
        delete(ChoreOccurrence)
        .where(
            ChoreOccurrence.chore_id == chore.id,
            ChoreOccurrence.state == UPCOMING,
            ChoreOccurrence.due_from > now,
        )
        .execution_options(synchronize_session=False)
    )
    if chore.assignment_mode != POOL:
        # A child no longer assigned owes nothing of it any more.
        assigned = [slot.assignee_id for slot in _slots(session, chore.id) if slot.assignee_id is not None]
        session.execute(
            update(ChoreOccurrence)
            .where(
                ChoreOccurrence.chore_id == chore.id,
                ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES),
                ChoreOccurrence.child_id.is_not(None),
                ChoreOccurrence.child_id.not_in(assigned or [0]),
            )
            .values(state=SKIPPED, updated_at=now)
            .execution_options(synchronize_session=False)
        )
    chore.schedule_start = now
    session.flush()
    ensure_occurrences(session, chore, now)


def close_open(session: Session, chore_id: int) -> None:
    """A chore paused or deleted: its open occurrences are skipped (never missed, never charged)."""
    session.execute(
        update(ChoreOccurrence)
        .where(ChoreOccurrence.chore_id == chore_id, ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES))
        .values(state=SKIPPED, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )


# -- the lifecycle's hooks (complete, approve, reject) --------------------------------------------


def _lane_of(chore: Chore, spec: ScheduleSpec, child_id: int) -> int:
    return 0 if chore.assignment_mode == POOL or spec.rotation != Rotation.none else child_id


def _open_occurrence(rotation: bool) -> Select[int, int | None]:
    """The earliest open occurrence of a lane (a rotation's: not yet past its missed_at, turns.py)."""
    current = (
        [or_(ChoreOccurrence.missed_at.is_(None), ChoreOccurrence.missed_at > bindparam("o_now", type_=UTCDateTime()))]
        if rotation
        else []
    )
    return (
        select(ChoreOccurrence.id, ChoreOccurrence.child_id)
        .where(
            ChoreOccurrence.chore_id == bindparam("o_chore_id"),
            ChoreOccurrence.lane == bindparam("o_lane"),
            ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES),
            *current,
        )
        .order_by(ChoreOccurrence.due_on)
        .limit(1)
    )


# The hot conditional UPDATEs (a completion's, an approval's) are Core statements of the table's own
# columns: the ORM annotates an UPDATE of mapped attributes anew at every execution (chores.lifecycle).
_OCCURRENCES = cast(Table, ChoreOccurrence.__table__)


def _done_by(rotation: bool) -> Update:
    """The occurrence's conditional UPDATE: still open (a rotation's: still the child's turn)."""
    child_id = bindparam("o_child_id", type_=Integer())
    whose = [_OCCURRENCES.c.child_id == child_id] if rotation else []
    return (
        update(_OCCURRENCES)
        .where(
            _OCCURRENCES.c.id == bindparam("o_occurrence_id"),
            _OCCURRENCES.c.state.in_(OPEN_OCCURRENCE_STATES),
            *whose,
        )
        .values(
            state=DONE,
            completion_id=bindparam("o_completion_id"),
            child_id=child_id,
            updated_at=bindparam("o_now", type_=UTCDateTime()),
        )
    )


# Built once (every completion and approval runs them): composing them cost more CPU than running them.
_OPEN_OCCURRENCE = {rotation: _open_occurrence(rotation) for rotation in (False, True)}
_DONE_BY = {rotation: _done_by(rotation) for rotation in (False, True)}
# The occurrence a completion counts for, while it is done (neither approved nor open again).
_DONE_FOR_COMPLETION = (_OCCURRENCES.c.completion_id == bindparam("o_completion_id"), _OCCURRENCES.c.state == DONE)
_OF_COMPLETION = select(ChoreOccurrence).where(*_DONE_FOR_COMPLETION).execution_options(populate_existing=True)
_DUE_AT_OF_COMPLETION = select(ChoreOccurrence.due_at).where(*_DONE_FOR_COMPLETION)
_APPROVED_OCCURRENCE = (
    update(_OCCURRENCES)
    .where(*_DONE_FOR_COMPLETION)
    .values(state=APPROVED, updated_at=bindparam("o_now", type_=UTCDateTime()))
)


@cache
def _new_unless_on_that_day(dialect: str) -> Insert:
    """A new occurrence, unless its chore's lane has one on that day already (the unique
    chore_id, lane, due_on): one statement where a lookup and an insert were two. Built once per
    database dialect."""
    return insert_or_update(_OCCURRENCES, dialect, ["chore_id", "lane", "due_on"])


def attach_completion(session: Session, chore: Chore, child: User, completion: Completion) -> None:
    """A child's completion counts for the earliest open occurrence of its lane (one not yet due
    too: done early). A rotation's counts only for the child whose turn it is (turns.py): another
    child gets Conflict. A chore without an open occurrence (a one-off without a due
    date, a chore of the previous release) is completed without one. The caller commits."""
    spec = schedule_of(chore)
    lane = _lane_of(chore, spec, child.id)
    rotation = is_rotation(chore)
    # A rotation's turn is its earliest open occurrence not yet past its missed_at (turns.py).
    found = session.execute(
        _OPEN_OCCURRENCE[rotation],
        {"o_chore_id": chore.id, "o_lane": lane, **({"o_now": clock.now()} if rotation else {})},
    ).first()
    if rotation and (found is None or found.child_id != child.id):
        raise Conflict("it is not your turn for this chore")
    if found is None:
        return
    moved = session.execute(
        _DONE_BY[rotation],
        {"o_occurrence_id": found.id, "o_completion_id": completion.id, "o_child_id": child.id, "o_now": clock.now()},
    )
    if rows_changed(moved) != 1:
        raise Conflict("this occurrence has just changed (skipped or missed); try again")


def _of_completion(session: Session, completion_id: int) -> ChoreOccurrence | None:
    return session.scalar(_OF_COMPLETION, {"o_completion_id": completion_id})


def available_again_at(session: Session, chore: Chore, completion: Completion, now: datetime) -> datetime | None:
    """When the assignment may be done again once `completion` is approved `now`: after
    completion, in `interval` days (as the cooldown always has); a calendar schedule, once the
    occurrence's due time has passed (so a child is at most one occurrence ahead); a one-off, never
    (None). Read before the approval's writes, so that the slot's own UPDATE sets it."""
    spec = schedule_of(chore)
    if spec.kind == ScheduleKind.once:
        return None
    if spec.kind == ScheduleKind.after_completion:
        return now + timedelta(days=spec.interval or 0)
    due_at = session.scalar(_DUE_AT_OF_COMPLETION, {"o_completion_id": completion.id})
    return max(now, due_at) if due_at is not None else now


def approved(
    session: Session, chore: Chore, completion: Completion, now: datetime, family: Family, again: datetime | None
) -> None:
    """The completion's occurrence is approved; after completion, the next occurrence is made now,
    due when the chore may be done `again` (available_again_at), in the zone of `family`, the
    chore's, as the approval read it. The caller commits."""
    # Core statements, no ORM row: the approval is the hottest write (bench/reads.py's cycle).
    session.execute(_APPROVED_OCCURRENCE, {"o_completion_id": completion.id, "o_now": now})
    spec = schedule_of(chore)
    if spec.kind == ScheduleKind.after_completion and again is not None:
        _next_after_completion(session, chore, spec, completion.child_id, now, again, timezones.zone(family.timezone))


def _next_after_completion(
    session: Session,
    chore: Chore,
    spec: ScheduleSpec,
    child_id: int,
    now: datetime,
    again: datetime,
    zone: ZoneInfo,
) -> None:
    item = due_after(spec, zone, now)
    lane = _lane_of(chore, spec, child_id)
    values = _new_values(chore, spec, item, zone, lane, None if lane == 0 else child_id, UPCOMING)
    values["due_from"] = min(again, item.due_at)  # the cooldown's end (across a DST change, no later than due)
    session.execute(_new_unless_on_that_day(session.get_bind().dialect.name), values)


def taken_back(session: Session, chore: Chore, completion: Completion, now: datetime) -> None:
    """The child took its completion back: the occurrence is open again, in the state its instants
    give now (upcoming, due or overdue; a pool's, for any child). The caller commits."""
    row = _of_completion(session, completion.id)
    if row is None:
        return
    row.state = UPCOMING if now < row.due_from else DUE if now < row.overdue_at else OVERDUE
    row.completion_id = None
    row.updated_at = now
    if chore.assignment_mode == POOL:
        row.child_id = None


def rejected(session: Session, chore: Chore, completion: Completion) -> None:
    """The completion's occurrence is due again (a pool's, for any child). The caller commits."""
    row = _of_completion(session, completion.id)
    if row is not None:
        row.state = REJECTED
        row.updated_at = clock.now()
        if chore.assignment_mode == POOL:
            row.child_id = None


# -- reading --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OccurrenceView:
    """One occurrence as the API and the pages show it."""

    id: int
    chore_id: int
    chore_title: str
    child_id: int | None
    child_name: str | None
    due_on: date
    due_at: datetime  # UTC
    due_at_local: datetime  # the same instant in the family's zone
    due_from: datetime
    overdue_at: datetime
    missed_at: datetime | None
    state: str  # as of now (state_now)
    has_due_time: bool
    on_calendar: bool  # a calendar schedule's (not "N days after it is done")
    missed_penalty_cents: int
    penalty_charged: bool
    completion_id: int | None
    timezone: str


def _views(session: Session, rows: list[ChoreOccurrence], family: Family, now: datetime) -> list[OccurrenceView]:
    zone = timezones.zone(family.timezone)
    names = dict(
        session.execute(
            select(User.id, User.username).where(User.id.in_({row.child_id for row in rows if row.child_id}))
        ).all()
    )
    return [
        OccurrenceView(
            id=row.id,
            chore_id=row.chore_id,
            chore_title=row.chore.title,
            child_id=row.child_id,
            child_name=names.get(row.child_id) if row.child_id else None,
            due_on=row.due_on,
            due_at=row.due_at,
            due_at_local=row.due_at.astimezone(zone),
            due_from=row.due_from,
            overdue_at=row.overdue_at,
            missed_at=row.missed_at,
            state=state_now(row, now),
            has_due_time=schedule_of(row.chore).due_time is not None,
            on_calendar=is_calendar(schedule_of(row.chore)),
            missed_penalty_cents=row.missed_penalty_cents,
            penalty_charged=row.penalty_entry_id is not None,
            completion_id=row.completion_id,
            timezone=zone.key,
        )
        for row in rows
    ]


def _family(session: Session, viewer: User) -> Family:
    family = session.get(Family, viewer.family_id) if viewer.family_id is not None else None
    if family is None:
        raise NotFound("you are not in a family yet")
    return family


def _visible(viewer: User) -> list[ColumnElement[bool]]:
    """A parent sees the family's occurrences; a child its own, and the pool's nobody has taken."""
    shown = [family_chores(viewer), Chore.is_disabled.is_(False) if not viewer.is_parent else true()]
    if not viewer.is_parent:
        shown.append(
            or_(
                ChoreOccurrence.child_id == viewer.id,
                and_(ChoreOccurrence.child_id.is_(None), Chore.assignment_mode == POOL),
            )
        )
    return shown


def list_occurrences(
    session: Session,
    viewer: User,
    date_from: date | None = None,
    date_to: date | None = None,
    child_id: int | None = None,
    *,
    now: datetime | None = None,
) -> list[OccurrenceView]:
    """The occurrences due (family-local dates) from date_from through date_to, by due instant.
    Defaults: today through a week ahead. A parent may name a child of the family; a child only
    itself."""
    now = now or clock.now()
    family = _family(session, viewer)
    today = local_date(now, timezones.zone(family.timezone))
    date_from = date_from or today
    date_to = date_to or date_from + timedelta(days=7)
    if date_to < date_from:
        raise InvalidInput("date_to must not be before date_from", field="date_to")
    if (date_to - date_from).days > MAX_RANGE_DAYS:
        raise InvalidInput(f"at most {MAX_RANGE_DAYS} days at once", field="date_to")
    where = [*_visible(viewer), ChoreOccurrence.due_on >= date_from, ChoreOccurrence.due_on <= date_to]
    if child_id is not None:
        if viewer.is_parent:
            identity.child_of_family(session, viewer, child_id)
        elif child_id != viewer.id:
            raise NotFound("child not found")
        where.append(ChoreOccurrence.child_id == child_id)
    return _query(session, family, where, now)


def _query(session: Session, family: Family, where: list[ColumnElement[bool]], now: datetime) -> list[OccurrenceView]:
    rows = list(
        session.scalars(
            select(ChoreOccurrence)
            .join(ChoreOccurrence.chore)
            .where(*where)
            .options(contains_eager(ChoreOccurrence.chore))
            .order_by(ChoreOccurrence.due_at, ChoreOccurrence.id)
            .limit(2000)
        )
    )
    return _views(session, rows, family, now)


def feed_occurrences(
    session: Session, family: Family, date_from: date, date_to: date, child_id: int | None, now: datetime
) -> list[OccurrenceView]:
    """A calendar feed's occurrences: the family's active chores', or one child's."""
    where = [
        Chore.family_id == family.id,
        Chore.deleted_at.is_(None),
        Chore.is_disabled.is_(False),
        ChoreOccurrence.due_on >= date_from,
        ChoreOccurrence.due_on <= date_to,
    ]
    if child_id is not None:
        where.append(ChoreOccurrence.child_id == child_id)
    return _query(session, family, where, now)


@dataclass(frozen=True)
class Agenda:
    """A child's day: what is due today, what is overdue, and what comes up in the next week."""

    today: list[OccurrenceView]
    overdue: list[OccurrenceView]
    coming_up: list[OccurrenceView]


def agenda(session: Session, child: User, now: datetime | None = None) -> Agenda:
    now = now or clock.now()
    family = _family(session, child)
    today = local_date(now, timezones.zone(family.timezone))
    views = list_occurrences(session, child, today - timedelta(days=14), today + timedelta(days=7), now=now)
    return Agenda(
        today=[v for v in views if v.due_on == today and v.state in (DUE, UPCOMING, REJECTED, DONE, APPROVED)],
        overdue=[v for v in views if v.state == OVERDUE],
        coming_up=[v for v in views if v.due_on > today and v.state in (UPCOMING, DUE)],
    )


# -- a parent's actions ---------------------------------------------------------------------------


def _parents_occurrence(session: Session, parent: User, occurrence_id: int) -> ChoreOccurrence:
    row = session.scalar(
        select(ChoreOccurrence)
        .join(ChoreOccurrence.chore)
        .where(ChoreOccurrence.id == occurrence_id, family_chores(parent))
        .options(contains_eager(ChoreOccurrence.chore))
        .execution_options(populate_existing=True)
    )
    if row is None:
        raise NotFound("occurrence not found")
    return row


def _not_open(row: ChoreOccurrence) -> Conflict:
    return Conflict(f"this occurrence is {row.state}: only an occurrence not yet done can be skipped or snoozed")


def _view_of(session: Session, parent: User, occurrence_id: int) -> OccurrenceView:
    row = _parents_occurrence(session, parent, occurrence_id)
    return _views(session, [row], _family(session, parent), clock.now())[0]


def skip_occurrence(session: Session, parent: User, occurrence_id: int) -> OccurrenceView:
    """This one time, the chore is not due: never overdue, never missed, no penalty."""
    row = _parents_occurrence(session, parent, occurrence_id)
    moved = session.execute(
        update(ChoreOccurrence)
        .where(ChoreOccurrence.id == row.id, ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES))
        .values(state=SKIPPED, updated_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    if rows_changed(moved) != 1:
        session.rollback()
        raise _not_open(_parents_occurrence(session, parent, occurrence_id))
    session.commit()
    return _view_of(session, parent, occurrence_id)


def snooze_occurrence(session: Session, parent: User, occurrence_id: int, days: int) -> OccurrenceView:
    """This one time, due `days` days later (at the same local due time; the date it stands for stays)."""
    if not 1 <= days <= MAX_SNOOZE_DAYS:
        raise InvalidInput(f"snooze 1 to {MAX_SNOOZE_DAYS} days", field="days")
    row = _parents_occurrence(session, parent, occurrence_id)
    spec = schedule_of(row.chore)
    zone = family_zone(session, row.family_id)
    snoozed = row.snoozed_days + days
    item = occurrence(spec, row.due_on + timedelta(days=snoozed), zone)
    missed = _missed_at(spec, item, zone)
    moved = session.execute(
        update(ChoreOccurrence)
        .where(ChoreOccurrence.id == row.id, ChoreOccurrence.state.in_(OPEN_OCCURRENCE_STATES))
        .values(
            state=UPCOMING if due_from(item, zone) > clock.now() else DUE,
            due_from=due_from(item, zone),
            due_at=item.due_at,
            overdue_at=item.overdue_after,
            missed_at=max(missed, item.overdue_after) if missed is not None else None,
            snoozed_days=snoozed,
            timezone=zone.key,
            updated_at=clock.now(),
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(moved) != 1:
        session.rollback()
        raise _not_open(_parents_occurrence(session, parent, occurrence_id))
    session.commit()
    return _view_of(session, parent, occurrence_id)
