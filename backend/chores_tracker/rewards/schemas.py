"""What the rewards API takes and answers. Money as in the contract: numbers with two decimals.
The answers are read from the rows (model_validate(row, from_attributes=True)), amounts from their
`<name>_cents` columns."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated, Literal

from pydantic import AliasPath, BaseModel, ConfigDict, Field, field_validator, model_validator

from chores_tracker.http import Input, RowId
from chores_tracker.money import Amount, MoneyNumber, NumberFromCents

Title = Annotated[str, Field(min_length=1, max_length=200)]
Cost = Annotated[Amount, Field(gt=0)]
Stock = Annotated[int, Field(ge=0, le=1_000_000)]
LimitCount = Annotated[int, Field(ge=1, le=1000)]
Period = Literal["week", "month"]


def _title(value: str | None) -> str | None:
    if value is None:
        return None
    value = " ".join(value.split())
    if not value:
        raise ValueError("must not be blank")
    return value


class RewardCreate(Input):
    title: Title
    cost: Cost = Field(description="what it costs the child; more than 0, at most two decimals")
    stock: Stock | None = Field(default=None, description="how many are left; null: unlimited")
    limit_count: LimitCount | None = Field(
        default=None, description="at most this many claims (waiting or approved) per child per limit_period"
    )
    limit_period: Period | None = Field(
        default=None, description="week (Monday to Sunday) or month, in the family's zone"
    )
    is_active: bool = Field(default=True, description="whether children see it and may claim it")

    _clean_title = field_validator("title")(classmethod(lambda cls, v: _title(v)))

    @model_validator(mode="after")
    def _limit_whole(self) -> RewardCreate:
        if (self.limit_count is None) != (self.limit_period is None):
            raise ValueError("give both limit_count and limit_period, or neither")
        return self


class RewardUpdate(Input):
    """Any subset of the fields; null clears stock (unlimited) or the limit (both fields at once)."""

    title: Title | None = None
    cost: Cost | None = None
    stock: Stock | None = None
    limit_count: LimitCount | None = None
    limit_period: Period | None = None
    is_active: bool | None = None

    _clean_title = field_validator("title")(classmethod(lambda cls, v: _title(v)))

    @model_validator(mode="after")
    def _limit_whole(self) -> RewardUpdate:
        given = {"limit_count", "limit_period"} & self.model_fields_set
        if given and (len(given) == 1 or (self.limit_count is None) != (self.limit_period is None)):
            raise ValueError("give both limit_count and limit_period, or neither")
        if "title" in self.model_fields_set and self.title is None:
            raise ValueError("title: a reward needs a title")
        if "cost" in self.model_fields_set and self.cost is None:
            raise ValueError("cost: a reward needs a cost")
        if "is_active" in self.model_fields_set and self.is_active is None:
            raise ValueError("is_active: true or false")
        return self


class RewardOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    title: str
    cost: NumberFromCents = Field(validation_alias="cost_cents")
    stock: int | None = Field(description="how many are left; null: unlimited")
    limit_count: int | None
    limit_period: str | None
    is_active: bool
    created_at: datetime
    affordable: bool | None = Field(
        default=None, description="for a child: whether its available money covers the cost; null for a parent"
    )


class DeclineIn(Input):
    reason: Annotated[str, Field(min_length=1, max_length=500)]

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        return value


class ClaimOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    reward_id: int
    child_id: int
    reward_title: str
    cost: NumberFromCents = Field(validation_alias="cost_cents")
    status: str = Field(description="pending (its cost reserved), approved (debited), declined or cancelled")
    created_at: datetime
    decided_at: datetime | None
    decided_by: int | None
    decline_reason: str | None
    ledger_entry_id: int | None = Field(description="the approval's debit in the ledger")


class RewardMoneyOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    balance: NumberFromCents = Field(
        validation_alias="balance_cents", description="the ledger's balance, as GET /users/me/balance gives it"
    )
    reserved: NumberFromCents = Field(
        validation_alias="reserved_cents", description="the costs of the claims waiting for review"
    )
    available: NumberFromCents = Field(
        validation_alias="available_cents", description="balance minus reserved: what a new claim may cost at most"
    )


# -- savings goals ---------------------------------------------------------------------------------


class GoalCreate(Input):
    title: Title
    target: Cost = Field(description="the amount to save; more than 0, at most two decimals")
    child_id: RowId | None = Field(default=None, description="a parent: the child; a child: itself (leave out)")

    _clean_title = field_validator("title")(classmethod(lambda cls, v: _title(v)))


class GoalOut(BaseModel):
    # Read from a goal's progress (goals.Progress); the goal's own columns through its `goal`.
    model_config = ConfigDict(from_attributes=True)

    id: int = Field(validation_alias=AliasPath("goal", "id"))
    child_id: int = Field(validation_alias=AliasPath("goal", "child_id"))
    title: str = Field(validation_alias=AliasPath("goal", "title"))
    target: NumberFromCents = Field(validation_alias=AliasPath("goal", "target_cents"))
    saved: NumberFromCents = Field(
        validation_alias="saved_cents", description="the child's balance now, at most the target"
    )
    progress_percent: int = Field(validation_alias="percent", description="saved / target, 0 to 100, rounded down")
    reached: bool
    reached_at: datetime | None = Field(
        validation_alias=AliasPath("goal", "reached_at"),
        description="when the balance first reached the target (recorded once)",
    )
    daily_rate: NumberFromCents = Field(
        validation_alias="daily_rate_cents",
        description="the recent earning rate: what raised the balance in the last 28 days, divided by 28",
    )
    projected_date: date | None = Field(
        description="today (in the family's zone) plus the days the rest takes at that rate; null when reached or "
        "when nothing was earned in 28 days"
    )
    created_at: datetime = Field(validation_alias=AliasPath("goal", "created_at"))


# -- allowances ------------------------------------------------------------------------------------


class AllowanceIn(Input):
    amount: Cost = Field(description="credited each period; more than 0, at most two decimals")
    period: Period
    weekday: Annotated[int, Field(ge=0, le=6)] | None = Field(
        default=None, description="for week: 0 Monday .. 6 Sunday"
    )
    day_of_month: Annotated[int, Field(ge=1, le=31)] | None = Field(
        default=None, description="for month: 1 to 31; a day a month lacks means its last day (31: always the last)"
    )
    at: time = Field(default=time(8, 0), description="the family-local time of day it is credited, HH:MM")

    @model_validator(mode="after")
    def _day_fits_period(self) -> AllowanceIn:
        if self.period == "week" and (self.weekday is None or self.day_of_month is not None):
            raise ValueError("a weekly allowance needs weekday (0 Monday .. 6 Sunday) and no day_of_month")
        if self.period == "month" and (self.day_of_month is None or self.weekday is not None):
            raise ValueError("a monthly allowance needs day_of_month (1 to 31) and no weekday")
        return self


class AllowanceOut(BaseModel):
    id: int
    child_id: int
    amount: MoneyNumber
    period: str
    weekday: int | None
    day_of_month: int | None
    at: str = Field(description="HH:MM, family-local")
    starts_at: datetime = Field(description="paydays from this instant on are credited")
    next_payday: datetime | None = Field(description="the next instant it will be credited")
