"""The time step: occurrences move on with the clock. No HTTP.

`run_time_step(session_factory, now)` is the one entry point, for `chores-tracker tick`, the serve
process's periodic task (TIME_STEP_INTERVAL_SECONDS) and any other worker. Each run:

1. makes the occurrences each active calendar schedule has up to the horizon (occurrences.
   ensure_occurrences), each chore in its own transaction under the chore row's lock, so that two
   runners never double one (the unique key is the last guard);
2. moves upcoming -> due (due_from passed), and due/rejected -> overdue (due time + grace passed),
   one conditional UPDATE per occurrence, and in the same transaction reminds: "due soon" to the
   child, "overdue" to the child and the parents (notifications.enqueue). Of two runners only one
   moves a row, so only one tells; a paused child is reminded of nothing;
3. credits the allowances whose paydays have come (rewards.allowance.credit_due: each period
   once, missed ones too), and after step 4 records the savings goals the balances now reach
   (rewards.goals.mark_reached);
4. marks each overdue occurrence whose missed_at has passed as missed, one conditional UPDATE per
   occurrence (`... WHERE state = 'overdue'`): of two runners only one changes the row, and that
   one charges the penalty in the same transaction (ledger_entries.occurrence_id is unique: a
   penalty cannot be written twice whatever happens). A child paused that day, or no longer
   active, is not charged: the occurrence is skipped instead.

Idempotent: running it again at the same instant changes nothing. A run missed for a day loses
nothing: the next one makes the days it did not make and moves every state the clock has passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from chores_tracker import clock
from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.chores import occurrences
from chores_tracker.chores.models import Chore, ChoreOccurrence
from chores_tracker.chores.states import schedule_of
from chores_tracker.db.engine import rows_changed
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.money import from_cents
from chores_tracker.notifications import service as notifications
from chores_tracker.rewards import allowance as allowances
from chores_tracker.rewards import goals


@dataclass
class TimeStepSummary:
    """What one run did."""

    now: datetime
    made: int = 0  # occurrences made
    retimed: int = 0  # timed again in the family's new zone
    due: int = 0  # upcoming -> due
    overdue: int = 0  # due or rejected -> overdue
    missed: int = 0  # overdue -> missed
    skipped: int = 0  # overdue, but the child was paused or has left: skipped, not charged
    penalties: int = 0
    penalty_cents: int = 0
    chores_failed: list[int] = field(default_factory=list)  # left for the next run (another runner held them)
    allowances: int = 0  # allowance periods credited
    allowance_cents: int = 0
    goals_reached: int = 0

    def as_text(self) -> str:
        return (
            f"made {self.made}, retimed {self.retimed}, due {self.due}, overdue {self.overdue}, missed {self.missed} "
            f"({self.penalties} penalties, {from_cents(self.penalty_cents)}), skipped {self.skipped}, "
            f"allowances {self.allowances} ({from_cents(self.allowance_cents)})"
        )


def run_time_step(session_factory: sessionmaker[Session], now: datetime | None = None) -> TimeStepSummary:
    now = (now or clock.now()).replace(microsecond=0)
    summary = TimeStepSummary(now=now)
    with clock.told(now):
        _make(session_factory, now, summary)
        _move(session_factory, now, summary)
        credited = allowances.credit_due(session_factory, now)
        summary.allowances, summary.allowance_cents = credited.credited, credited.cents
        _miss(session_factory, now, summary)
        summary.goals_reached = goals.mark_reached(session_factory, now)
    return summary


def _make(session_factory: sessionmaker[Session], now: datetime, summary: TimeStepSummary) -> None:
    with session_factory() as session:
        chore_ids = list(
            session.scalars(
                select(Chore.id).where(Chore.is_disabled.is_(False), Chore.deleted_at.is_(None)).order_by(Chore.id)
            )
        )
    for chore_id in chore_ids:
        with session_factory() as session:
            try:
                chore = session.scalar(select(Chore).where(Chore.id == chore_id))
                if chore is None:
                    continue
                zone = occurrences.family_zone(session, chore.family_id)
                calendar = occurrences.is_calendar(schedule_of(chore))
                if not calendar and not occurrences.needs_retime(session, chore, zone):
                    continue
                chore = occurrences.lock_chore(session, chore_id)
                if chore is None:
                    continue
                summary.retimed += occurrences.retime(session, chore, now)
                summary.made += occurrences.ensure_occurrences(session, chore, now)
                session.commit()
            except IntegrityError:
                # Another runner made them first (the unique key held): nothing is lost.
                session.rollback()
                summary.chores_failed.append(chore_id)


# Reminders are written with their transition, in its transaction: a lost race or a rollback tells
# nobody, and two runners at once tell once. Each conditional UPDATE takes one occurrence, in id
# order (so two runners wait on each other rather than deadlock), committed in chunks.
_CHUNK = 200


@dataclass(frozen=True)
class _Moving:
    id: int
    chore_id: int
    family_id: int
    child_id: int | None
    due_on: date
    due_at: datetime
    overdue_at: datetime
    missed_at: datetime | None
    title: str


def _move(session_factory: sessionmaker[Session], now: datetime, summary: TimeStepSummary) -> None:
    summary.due += _move_each(session_factory, now, [occurrences.UPCOMING], ChoreOccurrence.due_from, occurrences.DUE)
    summary.overdue += _move_each(
        session_factory, now, [occurrences.DUE, occurrences.REJECTED], ChoreOccurrence.overdue_at, occurrences.OVERDUE
    )


def _move_each(
    session_factory: sessionmaker[Session],
    now: datetime,
    from_states: list[str],
    passed: InstrumentedAttribute[datetime],
    to_state: str,
) -> int:
    with session_factory() as session:
        candidates = [
            _Moving(*row)
            for row in session.execute(
                select(
                    ChoreOccurrence.id,
                    ChoreOccurrence.chore_id,
                    ChoreOccurrence.family_id,
                    ChoreOccurrence.child_id,
                    ChoreOccurrence.due_on,
                    ChoreOccurrence.due_at,
                    ChoreOccurrence.overdue_at,
                    ChoreOccurrence.missed_at,
                    Chore.title,
                )
                .join(Chore, Chore.id == ChoreOccurrence.chore_id)
                .where(ChoreOccurrence.state.in_(from_states), passed <= now)
                .order_by(ChoreOccurrence.id)
            )
        ]
    moved = 0
    for start in range(0, len(candidates), _CHUNK):
        with session_factory() as session:
            zones: dict[int, ZoneInfo] = {}
            for item in candidates[start : start + _CHUNK]:
                changed = session.execute(
                    update(ChoreOccurrence)
                    .where(ChoreOccurrence.id == item.id, ChoreOccurrence.state.in_(from_states))
                    .values(state=to_state, updated_at=now)
                    .execution_options(synchronize_session=False)
                )
                if rows_changed(changed) != 1:
                    continue  # another runner (or a child, or a parent) got there first: it tells, not us
                moved += 1
                _remind(session, item, to_state, now, zones)
            session.commit()
    return moved


def _remind(session: Session, item: _Moving, to_state: str, now: datetime, zones: dict[int, ZoneInfo]) -> None:
    """Tells the child (and, when overdue, the parents) of one transition, unless the occurrence
    already passed its next one in this run (a run missed for days tells only what is still true)."""
    if to_state == occurrences.DUE:
        if item.overdue_at <= now or item.child_id is None:
            return
        event = "chore_due_soon"
    else:
        if item.missed_at is not None and item.missed_at <= now:
            return  # missed in this same run: the missed notification tells it
        event = "chore_overdue"
    child = session.get(User, item.child_id) if item.child_id is not None else None
    if child is not None and (
        not child.is_active
        or child.family_id != item.family_id
        or occurrences.is_paused_on(session, child.id, item.due_on)
    ):
        return  # a paused child (or one who left) owes nothing that day: nobody is reminded
    zone = zones.get(item.family_id)
    if zone is None:
        zone = zones[item.family_id] = occurrences.family_zone(session, item.family_id)
    due = f"{item.due_at.astimezone(zone):%a %d %b %H:%M}"
    if event == "chore_due_soon":
        text = f"{item.title!r} is due {due}"
    else:
        who = f"{child.username}: " if child is not None else ""
        text = f"{who}{item.title!r} is overdue (it was due {due})"
    notifications.enqueue(
        session,
        family_id=item.family_id,
        event=event,
        actor_id=None,
        text=text,
        child_id=item.child_id,
        chore_id=item.chore_id,
    )


def _miss(session_factory: sessionmaker[Session], now: datetime, summary: TimeStepSummary) -> None:
    with session_factory() as session:
        candidates = list(
            session.scalars(
                select(ChoreOccurrence.id)
                .where(
                    ChoreOccurrence.state == occurrences.OVERDUE,
                    ChoreOccurrence.missed_at.is_not(None),
                    ChoreOccurrence.missed_at <= now,
                )
                .order_by(ChoreOccurrence.id)
            )
        )
    for occurrence_id in candidates:
        with session_factory() as session:
            try:
                _miss_one(session, occurrence_id, now, summary)
            except IntegrityError:
                session.rollback()  # charged already (the unique occurrence_id): once is once


def _miss_one(session: Session, occurrence_id: int, now: datetime, summary: TimeStepSummary) -> None:
    row = session.get(ChoreOccurrence, occurrence_id)
    if row is None:
        return
    child = session.get(User, row.child_id) if row.child_id is not None else None
    excused = child is not None and (
        not child.is_active
        or child.family_id != row.family_id
        or occurrences.is_paused_on(session, child.id, row.due_on)
    )
    state = occurrences.SKIPPED if excused else occurrences.MISSED
    moved = session.execute(
        update(ChoreOccurrence)
        .where(ChoreOccurrence.id == occurrence_id, ChoreOccurrence.state == occurrences.OVERDUE)
        .values(state=state, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if rows_changed(moved) != 1:
        session.rollback()  # another runner (or a child, or a parent) got there first
        return
    charged = 0
    if state == occurrences.MISSED and child is not None and row.missed_penalty_cents > 0:
        chore = session.get(Chore, row.chore_id)
        title = chore.title if chore is not None else "a chore"
        local = row.due_at.astimezone(occurrences.family_zone(session, row.family_id))
        note = f"missed {title!r}, due {local:%a %d %b %H:%M}"
        entry = ledger.record_missed_penalty(
            session,
            family_id=row.family_id,
            child_id=child.id,
            amount_cents=row.missed_penalty_cents,
            occurrence_id=row.id,
            chore_id=row.chore_id,
            chore_title=title,
            note=note,
        )
        session.flush()
        session.execute(
            update(ChoreOccurrence)
            .where(ChoreOccurrence.id == occurrence_id)
            .values(penalty_entry_id=entry.id)
            .execution_options(synchronize_session=False)
        )
        activity.record(
            session,
            family_id=row.family_id,
            actor=child,
            activity_type=ActivityType.chore_missed,
            description=f"{child.username} {note}: a penalty of {from_cents(row.missed_penalty_cents)}",
            target_user_id=child.id,
            chore_id=row.chore_id,
            chore_title=title,
            amount_cents=-row.missed_penalty_cents,
            note=note,
            ledger_entry_id=entry.id,
        )
        charged = row.missed_penalty_cents
    session.commit()
    if state == occurrences.MISSED:
        summary.missed += 1
    else:
        summary.skipped += 1
    if charged:
        summary.penalties += 1
        summary.penalty_cents += charged
