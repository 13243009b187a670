"""A chore's schedule: which days it is due and at which instants, in the family's time zone.

Pure arithmetic: no database, no clock, no HTTP. The caller hands over the zone and the instants.

Rules (docs/chores.md, "Schedules", says the same for people):

- Dates are the family's local dates; instants are aware UTC datetimes.
- A due time is local wall time. A wall time that does not exist that day (a spring-forward gap,
  02:30 in New York on 8 Mar 2026) is due at the first instant after the gap (03:00 EDT); a wall
  time that happens twice (a fall-back overlap) is due at its first occurrence (fold=0).
- A date-only occurrence is due when its local day ends: at the next local midnight (by the same
  rule, if midnight itself falls in a gap, the first instant after it).
- Lead time and grace are elapsed hours before and after the due instant, not wall-clock hours:
  across a DST change "24 hours before" is not "the same time the day before".
- A season keeps only the dates between its two month-days, both included; it may wrap the new year.
- The anchor is the first day a schedule may be due; "every N days/weeks" count from it.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum
from typing import Annotated, NoReturn
from zoneinfo import ZoneInfo

from pydantic import ConfigDict, Field, Strict, ValidationError, field_serializer, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from chores_tracker.http import Input


class ScheduleKind(str, Enum):
    once = "once"
    daily = "daily"
    every_n_days = "every_n_days"
    weekly = "weekly"
    every_n_weeks = "every_n_weeks"
    monthly_day = "monthly_day"
    monthly_nth_weekday = "monthly_nth_weekday"
    monthly_last_day = "monthly_last_day"
    yearly = "yearly"
    after_completion = "after_completion"


class Rotation(str, Enum):
    none = "none"
    round_robin = "round_robin"
    least_done = "least_done"
    random = "random"


MAX_INTERVAL_DAYS = 365  # the cooldown's own maximum
MAX_INTERVAL_WEEKS = 52
MAX_LEAD_TIME_HOURS = 24 * 31
MAX_GRACE_HOURS = 24 * 31
MAX_PENALTY_CENTS = 100_000_000  # the largest amount the app takes, 1,000,000.00
YEARS = range(2000, 3000)
# How far next_due looks ahead before it answers "not again". Every rule comes round within a year
# or two; only a season can hold one off longer (every 52 weeks drifts a day a year through the
# calendar, so in a one-week season it may not be due again for centuries).
HORIZON_YEARS = 30


def _marked(text: str) -> str:
    """Marks a text for extraction only (it is translated where it is used); as a gettext, English."""
    return text


# English, whatever the machine's locale (calendar's names follow the locale); the short names are
# marked for the pages' catalogues (describe's words).
WEEKDAY_NAMES = (
    _marked("Mon"),
    _marked("Tue"),
    _marked("Wed"),
    _marked("Thu"),
    _marked("Fri"),
    _marked("Sat"),
    _marked("Sun"),
)
WEEKDAY_FULL_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_NAMES = (
    "",
    _marked("Jan"),
    _marked("Feb"),
    _marked("Mar"),
    _marked("Apr"),
    _marked("May"),
    _marked("Jun"),
    _marked("Jul"),
    _marked("Aug"),
    _marked("Sep"),
    _marked("Oct"),
    _marked("Nov"),
    _marked("Dec"),
)
_WEEKDAY_BY_NAME = {
    name.lower(): index for names in (WEEKDAY_NAMES, WEEKDAY_FULL_NAMES) for index, name in enumerate(names)
}
_HH_MM = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
_MM_DD = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")
_LEAP_YEAR = 2024  # month-days are checked against a leap year, so 29 Feb is a valid one

# Counts are JSON integers: no "5", no 5.0, no true.
Count = Annotated[int, Strict()]


def _error(kind: str, message: str) -> PydanticCustomError:
    return PydanticCustomError(kind, message)


def _month_day(value: object, what: str) -> str:
    if not isinstance(value, str) or not _MM_DD.fullmatch(value):
        raise _error("month_day", f"{what} must be a month-day written MM-DD, such as 04-01")
    month, day = int(value[:2]), int(value[3:])
    if day > calendar.monthrange(_LEAP_YEAR, month)[1]:
        raise _error("month_day", f"{what}: {value} is not a day of the year")
    return value


def _parts(month_day: str) -> tuple[int, int]:
    return int(month_day[:2]), int(month_day[3:])


class Season(Input):
    """Active only from `start` through `end` (month-days, both included) each year; when `start`
    comes after `end` the season wraps the new year (11-01 to 02-28: November to February)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: str = Field(description="MM-DD, the first day of the season")
    end: str = Field(description="MM-DD, the last day of the season")

    @field_validator("start", "end", mode="before")
    @classmethod
    def _month_days(cls, value: object) -> str:
        return _month_day(value, "a season's start and end")

    def contains(self, day: date) -> bool:
        start, end, here = _parts(self.start), _parts(self.end), (day.month, day.day)
        if start <= end:
            return start <= here <= end
        return here >= start or here <= end


def _strict_date(value: object) -> object:
    """A date is 'YYYY-MM-DD' (or a date already), never a timestamp or a date and time."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            raise _error("date_format", "must be a date written YYYY-MM-DD")
        try:
            value = date.fromisoformat(value)
        except ValueError:
            raise _error("date_format", f"{value} is not a day of the calendar") from None
    if isinstance(value, datetime) or not isinstance(value, date):
        raise _error("date_format", "must be a date written YYYY-MM-DD")
    if value.year not in YEARS:
        raise _error("date_range", f"must be between the years {YEARS.start} and {YEARS.stop - 1}")
    return value


def _weekday(value: object) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str) and value.strip().lower() in _WEEKDAY_BY_NAME:
        return _WEEKDAY_BY_NAME[value.strip().lower()]
    raise _error("weekday", "a weekday is 0 (Monday) to 6 (Sunday), or its name (mon, monday, ...)")


# Which optional fields each kind reads, and which of those it needs. A field a kind does not read
# is refused rather than ignored, so that a mistaken schedule is not silently another one.
_READS: dict[ScheduleKind, frozenset[str]] = {
    ScheduleKind.once: frozenset({"due_date"}),
    ScheduleKind.daily: frozenset({"anchor", "season"}),
    ScheduleKind.every_n_days: frozenset({"interval", "anchor", "season"}),
    ScheduleKind.weekly: frozenset({"weekdays", "anchor", "season"}),
    ScheduleKind.every_n_weeks: frozenset({"interval", "weekdays", "anchor", "season"}),
    ScheduleKind.monthly_day: frozenset({"day_of_month", "anchor", "season"}),
    ScheduleKind.monthly_nth_weekday: frozenset({"nth", "weekdays", "anchor", "season"}),
    ScheduleKind.monthly_last_day: frozenset({"anchor", "season"}),
    ScheduleKind.yearly: frozenset({"month", "day_of_month", "anchor", "season"}),
    ScheduleKind.after_completion: frozenset({"interval", "season"}),
}
_NEEDS: dict[ScheduleKind, tuple[tuple[str, str], ...]] = {
    ScheduleKind.every_n_days: (("interval", "how many days apart"), ("anchor", "the first day it is due")),
    ScheduleKind.weekly: (("weekdays", "which days of the week"),),
    ScheduleKind.every_n_weeks: (
        ("interval", "how many weeks apart"),
        ("weekdays", "which days of the week"),
        ("anchor", "a day of the first week it is due"),
    ),
    ScheduleKind.monthly_day: (("day_of_month", "which day of the month"),),
    ScheduleKind.monthly_nth_weekday: (
        ("nth", "which one of the month (1 to 5, or -1 for the last)"),
        ("weekdays", "which weekday"),
    ),
    ScheduleKind.yearly: (("month", "which month"), ("day_of_month", "which day of that month")),
    ScheduleKind.after_completion: (("interval", "how many days after it is done"),),
}
_OPTIONAL = ("interval", "weekdays", "day_of_month", "nth", "month", "due_date", "anchor", "season")


class ScheduleSpec(Input):
    """The `schedule` object of a chore: when it is due. Each kind reads only its own fields.

    - once: `due_date` (optional: without one it is never overdue)
    - daily; every_n_days: `interval` days from `anchor`
    - weekly: `weekdays`; every_n_weeks: `interval` weeks on `weekdays`, counted from the week of `anchor`
    - monthly_day: `day_of_month` (29 to 31: the month's last day in a shorter month)
    - monthly_nth_weekday: the `nth` (1 to 5, -1 the last) of the one weekday in `weekdays`;
      a month without a fifth one is skipped
    - monthly_last_day
    - yearly: `month` and `day_of_month` (29 Feb: 28 Feb in common years)
    - after_completion: `interval` days after the local day it was last done (0: again at once)

    Every kind but once may have a `season` and, but after_completion, an `anchor` (the first day
    it may be due). Any kind may have a `due_time` (HH:MM local); without one it is due by the end
    of the day.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: ScheduleKind
    interval: Count | None = Field(default=None, description="days (weeks for every_n_weeks) apart")
    weekdays: tuple[int, ...] | None = Field(
        default=None, description="0 (Monday) to 6 (Sunday) or names; read back as sorted numbers"
    )
    day_of_month: Count | None = Field(default=None, ge=1, le=31)
    nth: Count | None = Field(default=None, description="1 to 5, or -1 for the last")
    month: Count | None = Field(default=None, ge=1, le=12)
    due_date: date | None = None
    due_time: time | None = Field(default=None, description="HH:MM, local wall time")
    anchor: date | None = Field(default=None, description="the first day it may be due")
    season: Season | None = None
    lead_time_hours: Count = Field(default=0, ge=0, le=MAX_LEAD_TIME_HOURS, description="due soon this long before")
    grace_hours: Count = Field(default=0, ge=0, le=MAX_GRACE_HOURS, description="overdue this long after")
    missed_penalty_cents: Count = Field(default=0, ge=0, le=MAX_PENALTY_CENTS)
    rotation: Rotation = Rotation.none

    @field_validator("weekdays", mode="before")
    @classmethod
    def _weekdays(cls, value: object) -> object:
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise _error("weekdays", "weekdays is a list, such as [0, 2, 4] or ['mon', 'wed', 'fri']")
        return tuple(sorted({_weekday(item) for item in value}))

    @field_validator("due_time", mode="before")
    @classmethod
    def _hh_mm(cls, value: object) -> object:
        if value is None:
            return None
        if isinstance(value, time) and value.tzinfo is None and not (value.second or value.microsecond):
            return value
        if isinstance(value, str) and _HH_MM.fullmatch(value):
            return time(int(value[:2]), int(value[3:]))
        raise _error("due_time", "a due time is HH:MM on a 24-hour clock, such as 07:30 or 18:00")

    @field_serializer("due_time")
    def _as_hh_mm(self, value: time | None) -> str | None:
        # As it is written in: a schedule read back (stored, or answered) validates again.
        return None if value is None else value.strftime("%H:%M")

    @field_validator("due_date", "anchor", mode="before")
    @classmethod
    def _dates(cls, value: object) -> object:
        return None if value is None else _strict_date(value)

    @model_validator(mode="after")
    def _fits_its_kind(self) -> ScheduleSpec:
        kind = self.kind.value
        reads = _READS[self.kind]
        for name in _OPTIONAL:
            if name not in reads and getattr(self, name) not in (None, ()):
                self._refuse(name, f"does not apply to kind {kind}")
        for name, what in _NEEDS.get(self.kind, ()):
            if getattr(self, name) in (None, ()):
                self._refuse(name, f"kind {kind} needs {name}: {what}")
        if self.interval is not None:
            low, high = {
                ScheduleKind.every_n_weeks: (1, MAX_INTERVAL_WEEKS),
                # 0, as today's cooldown: available again as soon as it is done.
                ScheduleKind.after_completion: (0, MAX_INTERVAL_DAYS),
            }.get(self.kind, (1, MAX_INTERVAL_DAYS))
            if not low <= self.interval <= high:
                self._refuse("interval", f"must be {low} to {high} for kind {kind}")
        if self.nth is not None and self.nth not in (1, 2, 3, 4, 5, -1):
            self._refuse("nth", "must be 1 to 5 (the first to the fifth), or -1 (the last)")
        if self.kind == ScheduleKind.monthly_nth_weekday and self.weekdays and len(self.weekdays) != 1:
            self._refuse("weekdays", "kind monthly_nth_weekday takes exactly one weekday")
        if self.month is not None and self.day_of_month is not None:
            last = calendar.monthrange(_LEAP_YEAR, self.month)[1]
            if self.day_of_month > last:
                self._refuse("day_of_month", f"{MONTH_NAMES[self.month]} has {last} days, not {self.day_of_month}")
        return self

    def _refuse(self, name: str, message: str) -> NoReturn:
        """An error on the field itself (not on the whole schedule), so that a form can show it there."""
        error = InitErrorDetails(type=PydanticCustomError("schedule", message), loc=(name,), input=getattr(self, name))
        raise ValidationError.from_exception_data(type(self).__name__, [error])


@dataclass(frozen=True)
class Occurrence:
    """One time a chore is due: its local date and three UTC instants."""

    on: date
    due_at: datetime
    due_soon_from: datetime
    overdue_after: datetime


# --- dates ---------------------------------------------------------------------------------------


def _last_day(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _months_from(day: date) -> Iterator[tuple[int, int]]:
    year, month = day.year, day.month
    while year < YEARS.stop + HORIZON_YEARS:
        yield year, month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _nth_weekday(year: int, month: int, weekday: int, nth: int) -> date | None:
    """The nth (or, for -1, the last) given weekday of a month; None when the month has no fifth."""
    first = date(year, month, 1)
    if nth == -1:
        last = date(year, month, _last_day(year, month))
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    day = first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (nth - 1))
    return day if day.month == month else None


def _rule_dates(spec: ScheduleSpec, first: date) -> Iterator[date]:
    """The dates the kind's rule gives, in order, from `first` on (season and anchor not applied)."""
    kind = spec.kind
    if kind == ScheduleKind.once:
        if spec.due_date is not None and spec.due_date >= first:
            yield spec.due_date
        return
    if kind == ScheduleKind.after_completion:
        return  # due only from a completion: due_after()
    if kind in (ScheduleKind.daily, ScheduleKind.every_n_days):
        step = spec.interval or 1
        day = first
        if kind == ScheduleKind.every_n_days:
            assert spec.anchor is not None
            # The first day of the cycle on or after first: the anchor plus a whole number of steps.
            day = spec.anchor + timedelta(days=step * max(0, -((spec.anchor - first).days // step)))
        while True:
            yield day
            day += timedelta(days=step)
    if kind in (ScheduleKind.weekly, ScheduleKind.every_n_weeks):
        assert spec.weekdays
        step = spec.interval or 1
        origin = spec.anchor or first
        origin_monday = origin - timedelta(days=origin.weekday())
        monday = first - timedelta(days=first.weekday())
        # The first week of the cycle on or after first's week.
        monday += timedelta(weeks=(-((monday - origin_monday).days // 7)) % step)
        while True:
            for weekday in spec.weekdays:
                day = monday + timedelta(days=weekday)
                if day >= first:
                    yield day
            monday += timedelta(weeks=step)
    for year, month in _months_from(first):
        found: date | None
        if kind == ScheduleKind.monthly_day:
            assert spec.day_of_month is not None
            found = date(year, month, min(spec.day_of_month, _last_day(year, month)))
        elif kind == ScheduleKind.monthly_last_day:
            found = date(year, month, _last_day(year, month))
        elif kind == ScheduleKind.monthly_nth_weekday:
            assert spec.nth is not None and spec.weekdays
            found = _nth_weekday(year, month, spec.weekdays[0], spec.nth)
        else:
            assert spec.month is not None and spec.day_of_month is not None
            if month != spec.month:
                continue
            found = date(year, month, min(spec.day_of_month, _last_day(year, month)))
        if found is not None and found >= first:
            yield found


def due_dates(spec: ScheduleSpec, first: date, last: date) -> Iterator[date]:
    """The local dates the schedule is due on, from `first` through `last`, in order, each once.

    The season and the anchor apply; an after_completion schedule has no dates of its own."""
    if spec.anchor is not None:
        first = max(first, spec.anchor)
    for day in _rule_dates(spec, first):
        if day > last:
            return
        if spec.season is None or spec.season.contains(day):
            yield day


# --- instants ------------------------------------------------------------------------------------


def _wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a local wall time: in a gap, the first instant after it; in an overlap, the first."""
    naive = datetime.combine(day, at)
    instant = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if _wall(instant, zone) == naive:
        return instant
    # The wall time falls in a gap. With fold=0 zoneinfo reads it with the offset from before the
    # change, with fold=1 with the one after: the change itself lies between the two readings.
    earlier = min(instant, naive.replace(tzinfo=zone, fold=1).astimezone(UTC))
    later = max(instant, naive.replace(tzinfo=zone, fold=1).astimezone(UTC))
    while later - earlier > timedelta(seconds=1):
        middle = earlier + (later - earlier) / 2
        middle = middle.replace(microsecond=0)
        if _wall(middle, zone) > naive:
            later = middle
        else:
            earlier = middle
    return later


def due_instant(spec: ScheduleSpec, day: date, zone: ZoneInfo) -> datetime:
    """When a due date is due: at its due time, or (date-only) when the local day ends."""
    if spec.due_time is not None:
        return local_instant(day, spec.due_time, zone)
    return local_instant(day + timedelta(days=1), time.min, zone)


def occurrence(spec: ScheduleSpec, day: date, zone: ZoneInfo) -> Occurrence:
    due_at = due_instant(spec, day, zone)
    return Occurrence(
        on=day,
        due_at=due_at,
        due_soon_from=due_at - timedelta(hours=spec.lead_time_hours),
        overdue_after=due_at + timedelta(hours=spec.grace_hours),
    )


def _aware(*instants: datetime) -> None:
    # A naive datetime would be read as the server's local time: a wrong answer, not an error, so refuse it.
    if any(instant.tzinfo is None or instant.utcoffset() is None for instant in instants):
        raise ValueError("instants must be aware (UTC); a naive datetime has no zone to read it in")


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def occurrences(spec: ScheduleSpec, zone: ZoneInfo, start: datetime, end: datetime) -> list[Occurrence]:
    """The occurrences due in [start, end) (aware instants), in order of their due instants."""
    _aware(start, end)
    if end <= start:
        return []
    # A date-only day is due when it ends, and a due time in a gap moves later: look a day either side.
    first = local_date(start, zone) - timedelta(days=2)
    last = local_date(end, zone) + timedelta(days=1)
    found = (occurrence(spec, day, zone) for day in due_dates(spec, first, last))
    return [item for item in found if start <= item.due_at < end]


def next_due(spec: ScheduleSpec, zone: ZoneInfo, after: datetime) -> Occurrence | None:
    """The first occurrence due strictly after `after`; None if none comes within HORIZON_YEARS
    (a one-off already past, or a season and a rule that never meet). For after_completion use due_after()."""
    _aware(after)
    first = local_date(after, zone) - timedelta(days=2)
    horizon = date(min(first.year + HORIZON_YEARS, YEARS.stop + HORIZON_YEARS - 1), 12, 31)
    for day in due_dates(spec, first, horizon):
        item = occurrence(spec, day, zone)
        if item.due_at > after:
            return item
    return None


def due_after(spec: ScheduleSpec, zone: ZoneInfo, done_at: datetime) -> Occurrence:
    """An after_completion schedule's next occurrence: `interval` days after the local date it was
    done, at the due time or the end of that day; out of season, the season's next first day."""
    assert spec.kind == ScheduleKind.after_completion and spec.interval is not None
    _aware(done_at)
    day = local_date(done_at, zone) + timedelta(days=spec.interval)
    if spec.season is not None:
        while not spec.season.contains(day):
            day += timedelta(days=1)
    return occurrence(spec, day, zone)


# --- plain language ------------------------------------------------------------------------------
#
# English by default (the API's schedule_text); a page passes its catalogue's gettext, so the words
# are marked with `_(...)` for extraction (scripts/translations reads this module too) and carry named
# placeholders, so that a translation may put them in its own order.

Gettext = Callable[[str], str]


_ORDINAL_WORDS = {
    1: _marked("first"),
    2: _marked("second"),
    3: _marked("third"),
    4: _marked("fourth"),
    5: _marked("fifth"),
    -1: _marked("last"),
}
# "Monthly on the first Monday": one sentence per weekday, so that a language can write the day its way.
_NTH_WEEKDAY = (
    _marked("Monthly on the %(nth)s Monday"),
    _marked("Monthly on the %(nth)s Tuesday"),
    _marked("Monthly on the %(nth)s Wednesday"),
    _marked("Monthly on the %(nth)s Thursday"),
    _marked("Monthly on the %(nth)s Friday"),
    _marked("Monthly on the %(nth)s Saturday"),
    _marked("Monthly on the %(nth)s Sunday"),
)


def _ordinal(number: int, _: Gettext = _marked) -> str:
    if 11 <= number % 100 <= 13:
        # TRANSLATORS: an ordinal day of the month ("11th"); a language without suffixes: "%(number)s".
        return _("%(number)sth") % {"number": number}
    return {
        # TRANSLATORS: an ordinal day of the month ("1st", "21st"); a language without suffixes: "%(number)s".
        1: _("%(number)sst"),
        # TRANSLATORS: an ordinal day of the month ("2nd", "22nd"); a language without suffixes: "%(number)s".
        2: _("%(number)snd"),
        # TRANSLATORS: an ordinal day of the month ("3rd", "23rd"); a language without suffixes: "%(number)s".
        3: _("%(number)srd"),
    }.get(number % 10, _("%(number)sth")) % {"number": number}


def _and(items: list[str], _: Gettext = _marked) -> str:
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _clock(at: time, _: Gettext = _marked, *, hours24: bool = False) -> str:
    if hours24:
        return f"{at:%H:%M}"
    if at == time(12, 0):
        return _("noon")
    hour = at.hour % 12 or 12
    minutes = f":{at.minute:02d}" if at.minute else ""
    return (_("%(time)s am") if at.hour < 12 else _("%(time)s pm")) % {"time": f"{hour}{minutes}"}


def _season(season: Season, _: Gettext = _marked) -> str:
    (start_month, start_day), (end_month, end_day) = _parts(season.start), _parts(season.end)
    whole_months = start_day == 1 and end_day >= calendar.monthrange(2023, end_month)[1]
    start_name, end_name = _(MONTH_NAMES[start_month]), _(MONTH_NAMES[end_month])
    if whole_months:
        return start_name if start_month == end_month else f"{start_name}–{end_name}"
    return f"{start_day} {start_name}–{end_day} {end_name}"


def _rule(spec: ScheduleSpec, _: Gettext = _marked) -> str:
    kind, interval, weekdays = spec.kind, spec.interval, spec.weekdays or ()
    days = _and([_(WEEKDAY_NAMES[day]) for day in weekdays], _)
    if kind == ScheduleKind.once:
        if spec.due_date is None:
            return _("Once")
        due = spec.due_date
        return _("Once, due %(weekday)s %(day)s %(month)s") % {
            "weekday": _(WEEKDAY_NAMES[due.weekday()]),
            "day": due.day,
            "month": _(MONTH_NAMES[due.month]),
        }
    if kind == ScheduleKind.daily or (kind == ScheduleKind.every_n_days and interval == 1):
        return _("Every day")
    if kind == ScheduleKind.every_n_days:
        return _("Every %(interval)s days") % {"interval": interval}
    if kind == ScheduleKind.weekly or (kind == ScheduleKind.every_n_weeks and interval == 1):
        return _("Every %(days)s") % {"days": days}
    if kind == ScheduleKind.every_n_weeks:
        return _("Every %(interval)s weeks on %(days)s") % {"interval": interval, "days": days}
    if kind == ScheduleKind.monthly_day:
        assert spec.day_of_month is not None
        ordinal = {"ordinal": _ordinal(spec.day_of_month, _)}
        if spec.day_of_month > 28:
            return _("Monthly on the %(ordinal)s (or the last day)") % ordinal
        return _("Monthly on the %(ordinal)s") % ordinal
    if kind == ScheduleKind.monthly_nth_weekday:
        assert spec.nth is not None
        return _(_NTH_WEEKDAY[weekdays[0]]) % {"nth": _(_ORDINAL_WORDS[spec.nth])}
    if kind == ScheduleKind.monthly_last_day:
        return _("Monthly on the last day")
    if kind == ScheduleKind.yearly:
        assert spec.month is not None
        if (spec.month, spec.day_of_month) == (2, 29):
            return _("Every year on 29 Feb (28 Feb in other years)")
        return _("Every year on %(day)s %(month)s") % {"day": spec.day_of_month, "month": _(MONTH_NAMES[spec.month])}
    if interval == 0:
        return _("Again as soon as it is done")
    if interval == 1:
        return _("1 day after it is done")
    return _("%(interval)s days after it is done") % {"interval": interval}


def describe(spec: ScheduleSpec, gettext: Gettext | None = None, *, hours24: bool = False) -> str:
    """The schedule in plain words, as the schedule picker shows it: "Every Mon, Wed and Fri by 6 pm".

    English (the API's schedule_text) unless `gettext` translates its texts (a page's catalogue);
    `hours24` writes the due time as 18:00 rather than 6 pm (as a page in a language other than
    English writes times)."""
    _ = gettext or _marked
    text = _rule(spec, _)
    if spec.due_time is not None:
        text = _("%(rule)s by %(time)s") % {"rule": text, "time": _clock(spec.due_time, _, hours24=hours24)}
    if spec.season is not None:
        text = _("%(rule)s (%(season)s)") % {"rule": text, "season": _season(spec.season, _)}
    return text
