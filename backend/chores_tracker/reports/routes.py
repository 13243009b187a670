"""Reports and statistics, and the figures that combine several domains: a child's balance, the
family's stats. Every period is UTC; see docs/reports.md."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Query, Response
from sqlalchemy.orm import Session

from chores_tracker.chores import queries as chores
from chores_tracker.deps import DbSession
from chores_tracker.families import service as families
from chores_tracker.families.schemas import FamilyStatsOut
from chores_tracker.http import ApiRouter, RowId
from chores_tracker.identity.deps import CurrentChild, CurrentParent, CurrentUser, ParentRead
from chores_tracker.identity.models import User
from chores_tracker.ledger.schemas import AllowanceRowOut, BalanceOut
from chores_tracker.periods import Period, PeriodBound
from chores_tracker.reports import service
from chores_tracker.reports.schemas import (
    AllowanceSummaryOut,
    ExportFormat,
    ExportOut,
    MonthPointOut,
    RewardHistoryItemOut,
    WeekPointOut,
)

router = ApiRouter(prefix="/reports", tags=["reports"])
statistics_router = ApiRouter(prefix="/statistics", tags=["reports"])
users_router = ApiRouter(prefix="/users", tags=["users"])
families_router = ApiRouter(prefix="/families", tags=["families"])

_BOUND_HELP = (
    "a date (YYYY-MM-DD, a whole UTC day: date_from from its start, date_to through its end) "
    "or an ISO 8601 date and time (taken as UTC when it has no offset)"
)
DateFrom = Annotated[PeriodBound | None, Query(description=_BOUND_HELP)]
DateTo = Annotated[PeriodBound | None, Query(description=_BOUND_HELP)]


@router.get("/allowance-summary", response_model=AllowanceSummaryOut)
async def allowance_summary(
    read: ParentRead,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    child_id: RowId | None = None,
) -> Response:
    """Per child and for the family: approved chores, earnings, adjustments and payouts within the
    period; `balance_due` is what is owed at the period's end (now, when open). Carries an ETag: sent
    back in If-None-Match, it is answered 304 with no body while the answer is the same."""

    def make(session: Session, parent: User) -> tuple[Response, datetime | None]:
        summary = service.allowance_summary(session, parent, Period.from_bounds(date_from, date_to), child_id)
        # Written by pydantic straight to JSON: FastAPI would validate our own answer again first.
        return Response(summary.model_dump_json(), media_type="application/json"), None

    return await read.answer(make)


@router.get("/export/allowance-summary", response_model=ExportOut)
def export_allowance_summary(
    parent: CurrentParent,
    session: DbSession,
    format: ExportFormat = ExportFormat.csv,  # noqa: A002 (the contract's name)
    date_from: DateFrom = None,
    date_to: DateTo = None,
    child_id: RowId | None = None,
) -> ExportOut:
    """The allowance summary as CSV (one row per child, amounts as 0.00) or JSON."""
    summary = service.allowance_summary(session, parent, Period.from_bounds(date_from, date_to), child_id)
    return service.export_allowance_summary(summary, format)


@router.get("/reward-history/{child_id}", response_model=list[RewardHistoryItemOut])
def reward_history(
    child_id: RowId,
    parent: CurrentParent,
    session: DbSession,
    date_from: DateFrom = None,
    date_to: DateTo = None,
    limit: Annotated[int, Query(ge=1, le=service.MAX_HISTORY)] = 50,
) -> list[RewardHistoryItemOut]:
    """The child's chore earnings and adjustments, newest first."""
    return service.reward_history(session, parent, child_id, Period.from_bounds(date_from, date_to), limit)


@statistics_router.get("/weekly-summary", response_model=list[WeekPointOut])
def weekly_summary(
    parent: CurrentParent,
    session: DbSession,
    weeks_back: Annotated[int, Query(ge=1, le=service.MAX_WEEKS)] = 4,
    child_id: RowId | None = None,
) -> list[WeekPointOut]:
    """One point per ISO week (Monday 00:00 UTC to Sunday 23:59:59 UTC), oldest first, the current
    week last; weeks without activity are included with zeros. A chore counts in the week it was
    approved (when its reward was earned)."""
    return service.weekly_summary(session, parent, weeks_back=weeks_back, child_id=child_id)


@statistics_router.get("/monthly-summary", response_model=list[MonthPointOut])
def monthly_summary(
    parent: CurrentParent,
    session: DbSession,
    months_back: Annotated[int, Query(ge=1, le=service.MAX_MONTHS)] = 6,
    child_id: RowId | None = None,
) -> list[MonthPointOut]:
    """One point per calendar month (UTC), oldest first, the current month last; empty months included."""
    return service.monthly_summary(session, parent, months_back=months_back, child_id=child_id)


@users_router.get("/me/balance", response_model=BalanceOut)
def my_balance(child: CurrentChild, session: DbSession) -> BalanceOut:
    """balance = total_earned + adjustments - paid_out. pending_chores_value: completions waiting
    for approval, at their fixed reward or their range's minimum."""
    totals = chores.child_totals(session, child)
    return BalanceOut(
        balance=totals.balance,
        total_earned=totals.total_earned,
        adjustments=totals.adjustments,
        paid_out=totals.paid_out,
        pending_chores_value=totals.pending_chores_value,
    )


# Named as it always was: the name makes the operation's id in the OpenAPI document.
@users_router.get("/allowance-summary", response_model=list[AllowanceRowOut], name="allowance_summary")
def allowance_rows(parent: CurrentParent, session: DbSession) -> list[AllowanceRowOut]:
    """Every child of the family: approved chores, money earned, adjustments, paid out, still owed."""
    summary = service.allowance_summary(session, parent)
    return [AllowanceRowOut.model_validate(row.model_dump()) for row in summary.child_summaries]


@families_router.get("/stats", response_model=FamilyStatsOut)
def stats(user: CurrentUser, session: DbSession) -> FamilyStatsOut:
    """The family's figures. A child gets them without the invite code."""
    family = families.stats(session, user)
    return FamilyStatsOut(**family, **chores.family_chore_stats(session, family["family_id"]))
