"""A child's streaks and badges, computed from the data each time (nothing is stored). No HTTP.

- The **day streak**: consecutive family-local days on each of which the child did at least one
  chore that a parent approved (the day it was done counts). Today does not break it while it
  lasts: a streak that ran until yesterday is still the current one.
- The **on-time streak**: consecutive occurrences of the child's scheduled chores done by the
  time they became overdue (their due time plus any grace). A missed occurrence, one done late,
  or one overdue now breaks it; a skipped one, and one still open (upcoming, due, sent back), is
  not counted either way.
- **Paused days** (chores/pauses.py) neither break nor extend either streak: they are stepped over,
  and an occurrence due on one is not counted.
- **The streak bonus** (a family's choice, off unless a parent sets it): an approval pays
  `streak_bonus_percent` more per whole `streak_bonus_step_days` (7 unless set) of the child's day
  streak as it stands when the parent approves, at most `streak_bonus_cap_percent` (50 unless
  set); the bonus is the reward's cents times that percent over 100, rounded down to a whole cent
  (`bonus_cents`), and is part of the approval's earning.
- **Badges**: a milestone of the best streak within the last LOOKBACK_DAYS (3, 7, 14, 30 ... days;
  5, 10, 25 ... on-time occurrences), so a badge once earned stays while its days are in view.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker import clock, timezones
from chores_tracker.chores.models import ChoreOccurrence, Completion, CompletionStatus, OccurrenceState
from chores_tracker.chores.occurrences import paused_days
from chores_tracker.chores.schedule import local_date
from chores_tracker.families.models import Family
from chores_tracker.identity.models import User

DAY_MILESTONES = (3, 7, 14, 30, 60, 100, 200, 365)
ON_TIME_MILESTONES = (5, 10, 25, 50, 100, 250)
LOOKBACK_DAYS = 400  # how far back streaks are read: a bound on the work of one request

ON_TIME, LATE, NEUTRAL = "on_time", "late", "neutral"
_DONE = (OccurrenceState.done.value, OccurrenceState.approved.value)


@dataclass(frozen=True)
class Badge:
    kind: str  # "days" or "on_time"
    milestone: int
    title: str


@dataclass(frozen=True)
class Streaks:
    days: int
    best_days: int
    on_time: int
    best_on_time: int
    badges: list[Badge]
    next_day_milestone: int | None  # the next day-streak badge to reach, None once all are earned
    bonus_percent: int  # what the family's streak bonus adds to an approval now (0: none)


def day_runs(done: set[date], paused: set[date], first: date, today: date) -> tuple[int, int]:
    """(current, best) runs of done days from `first` through `today`, stepping over paused days;
    today, not done yet, does not end the current run."""
    run = best = 0
    day = first
    while day <= today:
        if day in paused:
            pass
        elif day in done:
            run += 1
            best = max(best, run)
        elif day != today:
            run = 0
        day += timedelta(days=1)
    return run, best


def outcome(state: str, completed_at: datetime | None, overdue_at: datetime, paused: bool) -> str:
    """What one occurrence does to the on-time streak."""
    if paused or state == OccurrenceState.skipped.value:
        return NEUTRAL
    if state in _DONE:
        return ON_TIME if completed_at is not None and completed_at <= overdue_at else LATE
    if state in (OccurrenceState.missed.value, OccurrenceState.overdue.value):
        return LATE
    return NEUTRAL  # upcoming, due, sent back: still open


def on_time_runs(outcomes: Iterable[str]) -> tuple[int, int]:
    """(current, best) runs of ON_TIME in order, LATE ending a run, NEUTRAL stepped over."""
    run = best = 0
    for result in outcomes:
        if result == ON_TIME:
            run += 1
            best = max(best, run)
        elif result == LATE:
            run = 0
    return run, best


def badges(best_days: int, best_on_time: int) -> list[Badge]:
    earned = [Badge("days", n, f"{n}-day streak") for n in DAY_MILESTONES if n <= best_days]
    earned += [Badge("on_time", n, f"{n} on time in a row") for n in ON_TIME_MILESTONES if n <= best_on_time]
    return earned


@dataclass(frozen=True)
class BonusRule:
    percent: int  # per step; 0: no bonus
    step_days: int
    cap_percent: int


def bonus_rule(family: Family) -> BonusRule:
    return BonusRule(*family.streak_bonus)


def bonus_percent(rule: BonusRule, day_streak: int) -> int:
    """The percent an approval gains: `percent` per whole step of the day streak, at most the cap."""
    if rule.percent <= 0:
        return 0
    return min(rule.cap_percent, (day_streak // rule.step_days) * rule.percent)


def bonus_cents(cents: int, percent: int) -> int:
    """The bonus on a reward of `cents`: rounded down to a whole cent (integers only, never a float)."""
    return max(0, cents) * percent // 100


def _days(first: date, last: date) -> set[date]:
    return {first + timedelta(days=n) for n in range((last - first).days + 1)}


def _family(session: Session, family_id: int | None) -> Family:
    return session.get_one(Family, family_id)


def _day_streaks(session: Session, child_id: int, zone: ZoneInfo, now: datetime) -> tuple[int, int, set[date]]:
    """(current, best) day streaks of the child, and its paused days in view."""
    today = local_date(now, zone)
    first = today - timedelta(days=LOOKBACK_DAYS)
    paused: set[date] = set()
    for start, end in paused_days(session, [child_id], first, today).get(child_id, []):
        paused |= _days(max(start, first), min(end, today))
    done_at = session.scalars(
        select(Completion.completed_at).where(
            Completion.child_id == child_id,
            Completion.status == CompletionStatus.approved.value,
            Completion.completed_at >= now - timedelta(days=LOOKBACK_DAYS + 1),
        )
    )
    done = {local_date(instant, zone) for instant in done_at}
    start = min((day for day in done if day >= first), default=today)
    days, best = day_runs(done, paused, start, today)
    return days, best, paused


def streak_bonus_cents(session: Session, family: Family, child_id: int, cents: int, now: datetime) -> int:
    """What the family's streak bonus adds to an approval of `cents` for the child now (0 when the
    family has none): read before the approval's own writes, so the streak is the one it had."""
    rule = bonus_rule(family)
    if rule.percent <= 0 or cents <= 0:
        return 0
    days, _best, _paused = _day_streaks(session, child_id, timezones.zone(family.timezone), now)
    return bonus_cents(cents, bonus_percent(rule, days))


def streaks_of(session: Session, child: User, now: datetime | None = None) -> Streaks:
    """The child's streaks and badges now, in its family's time zone."""
    now = now or clock.now()
    family = _family(session, child.family_id)
    zone = timezones.zone(family.timezone)
    today = local_date(now, zone)
    first = today - timedelta(days=LOOKBACK_DAYS)
    days, best_days, paused = _day_streaks(session, child.id, zone, now)
    rows = session.execute(
        select(ChoreOccurrence.state, Completion.completed_at, ChoreOccurrence.overdue_at, ChoreOccurrence.due_on)
        .outerjoin(Completion, Completion.id == ChoreOccurrence.completion_id)
        .where(ChoreOccurrence.child_id == child.id, ChoreOccurrence.due_on >= first, ChoreOccurrence.due_on <= today)
        .order_by(ChoreOccurrence.due_at, ChoreOccurrence.id)
    )
    on_time, best_on_time = on_time_runs(
        outcome(state, completed_at, overdue_at, due_on in paused) for state, completed_at, overdue_at, due_on in rows
    )
    return Streaks(
        days=days,
        best_days=best_days,
        on_time=on_time,
        best_on_time=best_on_time,
        badges=badges(best_days, best_on_time),
        next_day_milestone=next((n for n in DAY_MILESTONES if n > days), None),
        bonus_percent=bonus_percent(bonus_rule(family), days),
    )
