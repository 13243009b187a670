from __future__ import annotations

from datetime import date, datetime
from enum import Enum

from pydantic import BaseModel, Field

from chores_tracker.money import MoneyNumber


class ExportFormat(str, Enum):
    csv = "csv"
    json = "json"


class FamilySummaryOut(BaseModel):
    total_children: int
    total_earned: MoneyNumber
    total_adjustments: MoneyNumber
    total_balance_due: MoneyNumber
    total_completed_chores: int
    period_start: datetime | None = None
    period_end: datetime | None = Field(default=None, description="exclusive: the period ends just before it")


class ChildSummaryOut(BaseModel):
    id: int
    username: str
    display_name: str | None = Field(default=None, description="The name the family sees; null: none chosen.")
    avatar: str | None = Field(default=None, description="A colour name or one emoji; null: the default.")
    completed_chores: int = Field(description="chores approved in the period")
    total_earned: MoneyNumber
    total_adjustments: MoneyNumber
    paid_out: MoneyNumber
    balance_due: MoneyNumber = Field(description="what the child is owed at the end of the period (now when open)")
    pending_chores_value: MoneyNumber = Field(
        description="completions waiting for approval now, at their fixed reward or their range's minimum"
    )
    last_activity_date: datetime | None = None


class AllowanceSummaryOut(BaseModel):
    family_summary: FamilySummaryOut
    child_summaries: list[ChildSummaryOut]


class ExportOut(BaseModel):
    content: str
    content_type: str
    filename: str


class RewardHistoryItemOut(BaseModel):
    type: str = Field(description="chore_earning or adjustment")
    date: datetime
    amount: MoneyNumber
    description: str
    chore_id: int | None = None
    chore_title: str | None = None
    adjustment_id: int | None = None
    reason: str | None = None


class PeriodPointOut(BaseModel):
    completed_chores: int
    total_earned: MoneyNumber
    total_adjustments: MoneyNumber
    net_amount: MoneyNumber
    active_children: int = Field(description="children with at least one approved chore in the period")
    average_per_chore: MoneyNumber


class WeekPointOut(PeriodPointOut):
    week_start: date = Field(description="Monday (UTC) the ISO week starts on")
    week_end: date = Field(description="Sunday (UTC) the ISO week ends on, inclusive")


class MonthPointOut(PeriodPointOut):
    month_start: date = Field(description="first day of the month (UTC)")
    month_end: date = Field(description="last day of the month (UTC), inclusive")
