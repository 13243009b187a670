"""Reports and statistics, computed by the database (GROUP BY), never by loading every row. No HTTP.

Periods are UTC. A `date_from` day counts from its start, a `date_to` day through its end.
Weeks are ISO weeks (Monday 00:00 UTC to the next Monday); months start on the 1st, 00:00 UTC.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ColumnElement, distinct, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from chores_tracker import clock
from chores_tracker.activity.models import Activity
from chores_tracker.chores import queries as chores
from chores_tracker.errors import InvalidInput
from chores_tracker.identity import service as identity
from chores_tracker.identity.models import User
from chores_tracker.ledger import service as ledger
from chores_tracker.ledger.models import EntryKind, LedgerEntry
from chores_tracker.money import CENT, from_cents_or_zero
from chores_tracker.periods import (
    Period,
    add_months,
    month_start,
    month_start_sql,
    start_of_day,
    week_start,
    week_start_sql,
)
from chores_tracker.reports.schemas import (
    AllowanceSummaryOut,
    ChildSummaryOut,
    ExportFormat,
    ExportOut,
    FamilySummaryOut,
    MonthPointOut,
    RewardHistoryItemOut,
    WeekPointOut,
)

MAX_HISTORY = 500
MAX_WEEKS = 104
MAX_MONTHS = 60
# What a child earned or was given or docked; payouts only hand over what is owed.
REWARD_KINDS = (EntryKind.chore_earning.value, EntryKind.adjustment.value)


def _children(session: Session, parent: User, child_id: int | None) -> list[User]:
    """The family's children (none for a parent without a family yet), or the one asked for."""
    if child_id is not None:
        return [identity.child_of_family(session, parent, child_id)]
    return identity.list_children(session, parent, whole_family=True)


def allowance_summary(
    session: Session, parent: User, period: Period | None = None, child_id: int | None = None
) -> AllowanceSummaryOut:
    period = period or Period()
    if period.is_empty():
        raise InvalidInput("date_to must not be before date_from", field="date_to")
    children = _children(session, parent, child_id)
    ids = [child.id for child in children]
    totals = chores.totals_for_children(session, ids, period)
    if period.start is None and period.end is None:
        balances = {child_id: totals.of(child_id).balance_cents for child_id in ids}
    else:
        balances = ledger.balances_until(session, ids, period.end)
    last_seen = _last_activity(session, ids)
    rows = []
    for child in children:
        t = totals.of(child.id)
        rows.append(
            ChildSummaryOut(
                id=child.id,
                username=child.username,
                display_name=child.display_name,
                avatar=child.avatar,
                completed_chores=t.earned_count,
                total_earned=t.total_earned,
                total_adjustments=t.adjustments,
                paid_out=t.paid_out,
                balance_due=from_cents_or_zero(balances.get(child.id, 0)),
                pending_chores_value=t.pending_chores_value,
                last_activity_date=last_seen.get(child.id),
            )
        )
    family = FamilySummaryOut(
        total_children=len(rows),
        total_earned=sum((r.total_earned for r in rows), Decimal(0)),
        total_adjustments=sum((r.total_adjustments for r in rows), Decimal(0)),
        total_balance_due=sum((r.balance_due for r in rows), Decimal(0)),
        total_completed_chores=sum(r.completed_chores for r in rows),
        period_start=period.start,
        period_end=period.end,
    )
    return AllowanceSummaryOut(family_summary=family, child_summaries=rows)


def _last_activity(session: Session, child_ids: list[int]) -> dict[int, datetime | None]:
    """Every activity about a child names it as the target (its own completions included).
    One correlated max() per child: an index lookup on (target_user_id, created_at), not a scan."""
    if not child_ids:
        return {}
    latest = (
        select(func.max(Activity.created_at))
        .where(Activity.target_user_id == User.id)
        .correlate(User)
        .scalar_subquery()
    )
    return dict(session.execute(select(User.id, latest).where(User.id.in_(child_ids))).all())


CSV_COLUMNS = (
    "id",
    "username",
    "completed_chores",
    "total_earned",
    "total_adjustments",
    "paid_out",
    "balance_due",
    "pending_chores_value",
    "last_activity_date",
)


def export_allowance_summary(
    summary: AllowanceSummaryOut, fmt: ExportFormat, *, today: date | None = None
) -> ExportOut:
    stamp = (today or clock.now().date()).isoformat()
    if fmt is ExportFormat.json:
        return ExportOut(
            content=summary.model_dump_json(),
            content_type="application/json",
            filename=f"allowance-summary-{stamp}.json",
        )
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in summary.child_summaries:
        values = row.model_dump(mode="python")
        writer.writerow(
            [
                f"{v.quantize(CENT)}" if isinstance(v, Decimal) else (v.isoformat() if isinstance(v, datetime) else v)
                for v in (values[column] for column in CSV_COLUMNS)
            ]
        )
    return ExportOut(content=buffer.getvalue(), content_type="text/csv", filename=f"allowance-summary-{stamp}.csv")


def reward_history(
    session: Session, parent: User, child_id: int, period: Period | None = None, limit: int = 50
) -> list[RewardHistoryItemOut]:
    """Earnings and adjustments of one child, newest first (payouts are not rewards)."""
    child = identity.child_of_family(session, parent, child_id)
    entries = session.scalars(
        select(LedgerEntry)
        .where(
            LedgerEntry.child_id == child.id,
            LedgerEntry.kind.in_(REWARD_KINDS),
            *(period or Period()).bounding(LedgerEntry.created_at),
        )
        .order_by(LedgerEntry.created_at.desc(), LedgerEntry.id.desc())
        .limit(max(1, min(limit, MAX_HISTORY)))
    )
    return [
        RewardHistoryItemOut(
            type=entry.kind, date=entry.created_at, amount=from_cents_or_zero(entry.amount_cents), **_what_for(entry)
        )
        for entry in entries
    ]


def _what_for(entry: LedgerEntry) -> dict[str, Any]:
    if entry.kind == EntryKind.chore_earning.value:
        return {
            "description": f"Completed {entry.chore_title}",
            "chore_id": entry.chore_id,
            "chore_title": entry.chore_title,
        }
    return {
        "description": f"{'Bonus' if entry.amount_cents > 0 else 'Penalty'}: {entry.note}",
        "adjustment_id": entry.id,
        "reason": entry.note,
    }


@dataclass
class _Bucket:
    completed: int = 0
    earned_cents: int = 0
    adjustments_cents: int = 0
    active_children: int = 0

    def figures(self) -> dict[str, Any]:
        earned = from_cents_or_zero(self.earned_cents)
        adjustments = from_cents_or_zero(self.adjustments_cents)
        average = (
            (earned / self.completed).quantize(CENT, rounding=ROUND_HALF_UP) if self.completed else Decimal("0.00")
        )
        return {
            "completed_chores": self.completed,
            "total_earned": earned,
            "total_adjustments": adjustments,
            "net_amount": earned + adjustments,
            "active_children": self.active_children,
            "average_per_chore": average,
        }


def _series(
    session: Session,
    parent: User,
    child_id: int | None,
    bucket_sql: Callable[[InstrumentedAttribute[datetime]], ColumnElement[str]],
    starts: list[date],
) -> list[tuple[date, dict[str, Any]]]:
    """Each calendar bucket's start and figures (zeros where nothing happened), from one grouped query."""
    if parent.family_id is None:
        return [(start, _Bucket().figures()) for start in starts]
    bucket = bucket_sql(LedgerEntry.created_at).label("bucket")
    query = (
        select(
            bucket,
            LedgerEntry.kind,
            func.count(),
            func.coalesce(func.sum(LedgerEntry.amount_cents), 0),
            func.count(distinct(LedgerEntry.child_id)),
        )
        .where(
            LedgerEntry.family_id == parent.family_id,
            LedgerEntry.kind.in_(REWARD_KINDS),
            LedgerEntry.created_at >= start_of_day(starts[0]),
        )
        .group_by(bucket, LedgerEntry.kind)
    )
    if child_id is not None:
        query = query.where(LedgerEntry.child_id == identity.child_of_family(session, parent, child_id).id)
    found: dict[date, _Bucket] = {}
    for day, kind, count, cents, children in session.execute(query):
        b = found.setdefault(date.fromisoformat(str(day)[:10]), _Bucket())
        if kind == EntryKind.chore_earning.value:
            b.completed, b.earned_cents, b.active_children = int(count), int(cents), int(children)
        else:
            b.adjustments_cents = int(cents)
    return [(start, found.get(start, _Bucket()).figures()) for start in starts]


def weekly_summary(
    session: Session, parent: User, *, weeks_back: int = 4, child_id: int | None = None
) -> list[WeekPointOut]:
    """The last `weeks_back` ISO weeks, the current (partial) one last; empty weeks included."""
    weeks_back = max(1, min(weeks_back, MAX_WEEKS))
    first = week_start(clock.now().date()) - timedelta(weeks=weeks_back - 1)
    starts = [first + timedelta(weeks=n) for n in range(weeks_back)]
    return [
        WeekPointOut(week_start=start, week_end=start + timedelta(days=6), **figures)
        for start, figures in _series(session, parent, child_id, week_start_sql, starts)
    ]


def monthly_summary(
    session: Session, parent: User, *, months_back: int = 6, child_id: int | None = None
) -> list[MonthPointOut]:
    """The last `months_back` calendar months, the current (partial) one last; empty months included."""
    months_back = max(1, min(months_back, MAX_MONTHS))
    first = add_months(month_start(clock.now().date()), -(months_back - 1))
    starts = [add_months(first, n) for n in range(months_back)]
    return [
        MonthPointOut(month_start=start, month_end=add_months(start, 1) - timedelta(days=1), **figures)
        for start, figures in _series(session, parent, child_id, month_start_sql, starts)
    ]
