from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, Field, field_validator

from chores_tracker.http import Input, RowId
from chores_tracker.money import Amount, MoneyNumber, MoneyString, SignedAmount

Reason = Annotated[str, Field(min_length=1, max_length=500)]


def _stripped_required(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    return value


class AdjustmentCreate(Input):
    child_id: RowId
    amount: SignedAmount = Field(
        description="a bonus (positive) or a penalty (negative); never 0; at most two decimals"
    )
    reason: Reason

    @field_validator("amount")
    @classmethod
    def _not_zero(cls, value: Decimal) -> Decimal:
        if value == 0:
            raise ValueError("an adjustment of 0 changes nothing; give a positive bonus or a negative penalty")
        return value

    _reason = field_validator("reason")(classmethod(lambda cls, v: _stripped_required(v)))


class AdjustmentOut(BaseModel):
    id: int
    child_id: RowId
    parent_id: int | None
    amount: MoneyString
    reason: str | None
    created_at: datetime


class AdjustmentTotalOut(BaseModel):
    child_id: RowId
    total_adjustments: MoneyString
    currency: str


class PayoutCreate(Input):
    child_id: RowId
    amount: Annotated[Amount, Field(gt=0)] = Field(description="money handed to the child; at most two decimals")
    note: str | None = Field(default=None, max_length=500)

    @field_validator("note")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class PayoutOut(BaseModel):
    id: int
    child_id: RowId
    parent_id: int | None
    amount: MoneyString
    note: str | None
    created_at: datetime


class BalanceOut(BaseModel):
    balance: MoneyNumber
    total_earned: MoneyNumber
    adjustments: MoneyNumber
    paid_out: MoneyNumber
    pending_chores_value: MoneyNumber


class AllowanceRowOut(BaseModel):
    id: int
    username: str
    completed_chores: int
    total_earned: MoneyNumber
    total_adjustments: MoneyNumber
    paid_out: MoneyNumber
    balance_due: MoneyNumber


class ReverseIn(Input):
    reason: str | None = Field(
        default=None,
        max_length=500,
        description="Why (shown in the feed); a plain description of the reversal unless given.",
    )

    @field_validator("reason")
    @classmethod
    def _blank_is_none(cls, value: str | None) -> str | None:
        return (value or "").strip() or None


class LedgerEntryOut(BaseModel):
    id: int
    child_id: int
    kind: str = Field(description="chore_earning, adjustment (a bonus, a penalty, or a reversal) or payout")
    amount: MoneyString = Field(description="the entry's amount as stored: a payout's is positive")
    balance_effect: MoneyString = Field(description="what it did to the balance: a payout's is negative")
    note: str | None
    chore_id: int | None
    chore_title: str | None
    author_id: int | None = Field(description="the parent who made it; null for the time step's penalties")
    created_at: datetime
    reverses_id: int | None = Field(description="for a reversal: the entry it compensates")
    reversed_by_id: int | None = Field(description="the reversal of this entry, once it has one")
    reversible_until: datetime | None = Field(
        description="until when a parent may reverse it (REVERSAL_WINDOW_HOURS after it); null: never (a reversal, or 0)"
    )
    can_reverse: bool = Field(description="whether a parent may reverse it now")
