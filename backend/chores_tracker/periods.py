"""Time for the chores domain: report periods, and calendar buckets in SQL ("now" is `clock.now()`).

Every period is in UTC. A week is an ISO week: it starts on Monday 00:00:00 UTC and ends
before the next Monday. A month starts on its first day 00:00:00 UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, ClassVar

from pydantic import BeforeValidator
from sqlalchemy import ColumnElement, SQLColumnExpression, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement


def as_utc(value: datetime) -> datetime:
    """A naive datetime from a client is taken to be UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after (or before, when negative) the month of `day`."""
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """A half-open interval [start, end) of UTC instants; either side may be open."""

    start: datetime | None = None
    end: datetime | None = None

    @classmethod
    def from_bounds(cls, date_from: date | datetime | None, date_to: date | datetime | None) -> Period:
        """A date means the whole UTC day: `date_from` from its start, `date_to` through its end."""
        start = end = None
        if isinstance(date_from, datetime):
            start = as_utc(date_from)
        elif isinstance(date_from, date):
            start = start_of_day(date_from)
        if isinstance(date_to, datetime):
            end = as_utc(date_to)
        elif isinstance(date_to, date):
            end = start_of_day(date_to + timedelta(days=1))
        return cls(start, end)

    def is_empty(self) -> bool:
        return self.start is not None and self.end is not None and self.end <= self.start

    def bounding(self, column: SQLColumnExpression[datetime]) -> list[ColumnElement[bool]]:
        """SQL conditions keeping `column` inside the period: none for an open side."""
        conditions = []
        if self.start is not None:
            conditions.append(column >= self.start)
        if self.end is not None:
            conditions.append(column < self.end)
        return conditions


class _CalendarStart(FunctionElement[str]):
    """The first day of a stored timestamp's calendar bucket, as 'YYYY-MM-DD', computed by the database.

    Each database's SQL is a template over the column. Literal SQL only (no bound parameters), so
    that PostgreSQL sees the same expression in SELECT and GROUP BY. Stored timestamps are naive
    UTC, so no zone conversion is needed.
    """

    type = String()
    sql_by_dialect: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        for dialect in cls.sql_by_dialect:
            compiles(cls, dialect)(_render_calendar_start)


def _render_calendar_start(element: _CalendarStart, compiler: SQLCompiler, **kw: Any) -> str:
    return element.sql_by_dialect[compiler.dialect.name].format(column=compiler.process(element.clauses, **kw))


class week_start_sql(_CalendarStart):
    """The ISO week (Monday, UTC) of a stored timestamp."""

    name = "week_start_sql"
    inherit_cache = True
    sql_by_dialect: ClassVar[dict[str, str]] = {
        "postgresql": "to_char(date_trunc('week', {column}), 'YYYY-MM-DD')",
        "mysql": "CAST(DATE_SUB(DATE({column}), INTERVAL WEEKDAY({column}) DAY) AS CHAR)",
        # Back six days, then forward to the next Monday (or stay on it): the Monday on or before.
        "sqlite": "date({column}, '-6 days', 'weekday 1')",
    }


class month_start_sql(_CalendarStart):
    """The first day of the month of a stored timestamp."""

    name = "month_start_sql"
    inherit_cache = True
    sql_by_dialect: ClassVar[dict[str, str]] = {
        "postgresql": "to_char(date_trunc('month', {column}), 'YYYY-MM-DD')",
        "mysql": "CAST(DATE_SUB(DATE({column}), INTERVAL DAYOFMONTH({column}) - 1 DAY) AS CHAR)",
        "sqlite": "date({column}, 'start of month')",
    }


BOUND_YEARS = range(1900, 9999)


def parse_bound(value: object) -> object:
    """A query bound: 'YYYY-MM-DD' is a whole day; anything longer is an instant (ISO 8601)."""
    if isinstance(value, str):
        text = value.strip()
        try:
            value = date.fromisoformat(text) if len(text) == 10 else datetime.fromisoformat(text)
        except ValueError:
            raise ValueError("use a date (YYYY-MM-DD) or an ISO 8601 date and time") from None
    if isinstance(value, date) and value.year not in BOUND_YEARS:
        raise ValueError(f"must be between the years {BOUND_YEARS.start} and {BOUND_YEARS.stop - 1}")
    return value


PeriodBound = Annotated[date | datetime, BeforeValidator(parse_bound)]
