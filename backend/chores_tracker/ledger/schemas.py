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
