"""The weekly or monthly allowance: a parent sets it per child; the time step credits it. No HTTP.

A payday is the allowance's weekday (week) or day of the month (month; a day the month lacks means
its last day, so 31 is always the last day) at its family-local time, in the family's zone now.
Each run of the time step credits, for every active allowance, each payday from `starts_at` (when
the allowance was set or last changed) up to now that has not been credited yet: a tick missed for
three weeks credits the three weeks, once each. A period is credited once per child whatever runs
the step: the allowance's row is locked while its paydays are credited, and allowance_runs is unique
per child and period key ("week:2026-W49", "month:2026-12"), the last guard. A deactivated child
is not credited while it cannot sign in; once it can again, its missed periods are (the same rule).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from chores_tracker import clock, timezones
from chores_tracker.activity import service as activity
from chores_tracker.activity.models import ActivityType
from chores_tracker.db import revisions
from chores_tracker.errors import Conflict, NotFound
from chores_tracker.families.models import Family
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.money import from_cents_or_zero, to_cents
from chores_tracker.rewards.models import Allowance, AllowanceRun, LimitPeriod
from chores_tracker.rewards.schemas import AllowanceIn

MAX_CATCH_UP = 520  # paydays credited per allowance and run at most (ten years of weeks); the rest next run


@dataclass(frozen=True)
class Payday:
    key: str
    day: date  # family-local
    at: datetime  # UTC


def _payday_on(allowance: Allowance, day: date, zone_name: str) -> Payday:
    zone = timezones.zone(zone_name)
    local = datetime.combine(day, time(allowance.minute_of_day // 60, allowance.minute_of_day % 60), tzinfo=zone)
    if allowance.period == LimitPeriod.week.value:
        year, week, _ = day.isocalendar()
        key = f"week:{year}-W{week:02d}"
    else:
        key = f"month:{day.year}-{day.month:02d}"
    return Payday(key, day, local.astimezone(UTC))


def _month_day(year: int, month: int, wanted: int) -> date:
    return date(year, month, min(wanted, calendar.monthrange(year, month)[1]))


def paydays(allowance: Allowance, zone_name: str, start: datetime, end: datetime) -> list[Payday]:
    """The paydays at or after `start` and at or before `end`, in order."""
    zone = timezones.zone(zone_name)
    first = start.astimezone(zone).date() - timedelta(days=1)  # a day early: the local time may be earlier
    last = end.astimezone(zone).date()
    found: list[Payday] = []
    if allowance.period == LimitPeriod.week.value:
        day = first + timedelta(days=((allowance.weekday or 0) - first.weekday()) % 7)
        while day <= last and len(found) < MAX_CATCH_UP:
            found.append(_payday_on(allowance, day, zone_name))
            day += timedelta(days=7)
    else:
        year, month = first.year, first.month
        while len(found) < MAX_CATCH_UP:
            day = _month_day(year, month, allowance.day_of_month or 1)
            if day > last:
                break
            if day >= first:
                found.append(_payday_on(allowance, day, zone_name))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return [payday for payday in found if start <= payday.at <= end]


def next_payday(allowance: Allowance, zone_name: str, now: datetime) -> datetime | None:
    if not allowance.is_active:
        return None
    after = max(now + timedelta(seconds=1), allowance.starts_at)
    upcoming = paydays(allowance, zone_name, after, after + timedelta(days=32))
    return upcoming[0].at if upcoming else None


# -- a parent's settings -----------------------------------------------------------------------------


def get(session: Session, parent: User, child_id: int) -> Allowance | None:
    child = identity.child_of_family(session, parent, child_id)
    return session.scalar(select(Allowance).where(Allowance.child_id == child.id, Allowance.is_active.is_(True)))


def of_child(session: Session, child: User) -> Allowance | None:
    """The child's own active allowance (what its pages show it)."""
    return session.scalar(select(Allowance).where(Allowance.child_id == child.id, Allowance.is_active.is_(True)))


def describe(found: Allowance, zone_name: str, now: datetime) -> dict[str, object]:
    """What the pages say of an allowance: the amount, when, the time, the next payday."""
    days = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    every = f"every {days[found.weekday or 0]}" if found.period == "week" else f"each month on day {found.day_of_month}"
    return {
        "amount": from_cents_or_zero(found.amount_cents),
        "every": every,
        "at": f"{found.minute_of_day // 60:02d}:{found.minute_of_day % 60:02d}",
        "next": next_payday(found, zone_name, now),
    }


def list_for_family(session: Session, parent: User) -> list[Allowance]:
    if parent.family_id is None:
        return []
    return list(
        session.scalars(
            select(Allowance)
            .where(Allowance.family_id == parent.family_id, Allowance.is_active.is_(True))
            .order_by(Allowance.child_id)
        )
    )


def set_allowance(session: Session, parent: User, child_id: int, data: AllowanceIn) -> Allowance:
    """Makes or replaces the child's allowance; paydays from now on count (paydays before now were
    credited by the allowance as it was, or not at all)."""
    child = identity.child_of_family(session, parent, child_id)
    found = session.scalar(select(Allowance).where(Allowance.child_id == child.id).with_for_update())
    if found is None:
        found = Allowance(family_id=child.family_id, child_id=child.id, created_by=parent.id, created_at=clock.now())
        session.add(found)
    found.family_id = child.family_id or 0
    found.amount_cents = to_cents(data.amount)
    found.period = data.period
    found.weekday = data.weekday
    found.day_of_month = data.day_of_month
    found.minute_of_day = data.at.hour * 60 + data.at.minute
    found.is_active = True
    found.starts_at = clock.now()
    try:
        session.commit()
    except IntegrityError:  # another parent made it at the same moment: theirs stands
        session.rollback()
        raise Conflict("the allowance changed meanwhile; try again") from None
    return found


def stop(session: Session, parent: User, child_id: int) -> None:
    found = get(session, parent, child_id)
    if found is None:
        raise NotFound("this child has no allowance")
    found.is_active = False
    session.commit()


# -- the time step -----------------------------------------------------------------------------------


@dataclass
class AllowanceSummary:
    credited: int = 0
    cents: int = 0


def credit_due(session_factory: sessionmaker[Session], now: datetime) -> AllowanceSummary:
    """Credits every payday that has come since each allowance's last one; each allowance in its own
    transaction. Idempotent: a second run at the same instant credits nothing."""
    summary = AllowanceSummary()
    with session_factory() as session:
        due = session.execute(
            select(Allowance.id, Allowance.family_id).where(Allowance.is_active.is_(True), Allowance.starts_at <= now)
        ).all()
    for allowance_id, family_id in due:
        with session_factory() as session:
            try:
                _credit(session, allowance_id, family_id, now, summary)
            except IntegrityError:
                session.rollback()  # another runner credited it first: once is once
    return summary


def _credit(session: Session, allowance_id: int, family_id: int, now: datetime, summary: AllowanceSummary) -> None:
    # MySQL/MariaDB: the family's row first (db/revisions.py), then the allowance's, as requests do.
    revisions.note_family(session, family_id)
    allowance = session.scalar(select(Allowance).where(Allowance.id == allowance_id).with_for_update())
    if allowance is None or not allowance.is_active:
        return
    child = session.get(User, allowance.child_id)
    family = session.get(Family, allowance.family_id)
    if child is None or family is None or child.family_id != allowance.family_id or not child.is_active:
        session.rollback()
        return
    last = session.scalar(
        select(func.max(AllowanceRun.due_at)).where(
            AllowanceRun.allowance_id == allowance.id, AllowanceRun.due_at >= allowance.starts_at
        )
    )
    start = allowance.starts_at if last is None else last + timedelta(seconds=1)
    wanted = paydays(allowance, family.timezone, start, now)
    if not wanted:
        session.rollback()
        return
    taken = set(
        session.scalars(
            select(AllowanceRun.period_key).where(
                AllowanceRun.child_id == child.id, AllowanceRun.period_key.in_([p.key for p in wanted])
            )
        )
    )
    credited = 0
    for payday in wanted:
        if payday.key in taken:
            continue
        taken.add(payday.key)
        what = f"the week of {payday.day.isoformat()}" if allowance.period == "week" else payday.day.strftime("%B %Y")
        note = f"Allowance for {what}"
        entry = ledger.record_adjustment(
            session,
            family_id=allowance.family_id,
            child_id=child.id,
            cents=allowance.amount_cents,
            author_id=None,
            note=note,
        )
        session.flush()
        session.add(
            AllowanceRun(
                family_id=allowance.family_id,
                child_id=child.id,
                allowance_id=allowance.id,
                period_key=payday.key,
                due_at=payday.at,
                created_at=clock.now(),
                ledger_entry_id=entry.id,
            )
        )
        activity.record(
            session,
            family_id=allowance.family_id,
            actor=child,
            activity_type=ActivityType.allowance_credited,
            description=f"{child.name}'s allowance for {what}: +{from_cents_or_zero(allowance.amount_cents):.2f}",
            target_user_id=child.id,
            amount_cents=allowance.amount_cents,
            note=note,
            ledger_entry_id=entry.id,
            by_the_time_step=True,
        )
        credited += 1
    session.commit()
    summary.credited += credited
    summary.cents += credited * allowance.amount_cents
