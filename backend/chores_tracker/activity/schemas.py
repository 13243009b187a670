from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, field_serializer

from chores_tracker.activity.models import Activity, ActivityType
from chores_tracker.identity.schemas import UserOut
from chores_tracker.money import MoneyNumber, from_cents


class ActivityData(BaseModel):
    """What the change was about; only the keys that apply to the activity's type are sent."""

    chore_id: int | None = None
    chore_title: str | None = None
    reward_amount: MoneyNumber | None = None
    rejection_reason: str | None = None
    adjustment_id: int | None = None
    payout_id: int | None = None
    amount: MoneyNumber | None = None
    reason: str | None = None
    note: str | None = None
    adjustment_type: str | None = None


class ActivityOut(BaseModel):
    id: int
    user_id: int
    activity_type: str
    description: str
    target_user_id: int | None = None
    activity_data: ActivityData
    created_at: datetime
    user: UserOut | None = None
    target_user: UserOut | None = None

    @field_serializer("activity_data")
    def _only_what_applies(self, data: ActivityData) -> dict[str, Any]:
        return data.model_dump(mode="json", exclude_none=True)


class ActivityPageOut(BaseModel):
    activities: list[ActivityOut]
    total_count: int
    has_more: bool


class ActivitySummaryOut(BaseModel):
    activity_counts: dict[str, int]
    total_activities: int
    period_days: int


class ActivityTypesOut(BaseModel):
    activity_types: list[str]
    descriptions: dict[str, str]


def _data(activity: Activity) -> ActivityData:
    kind = activity.activity_type
    amount = from_cents(activity.amount_cents)
    if kind == ActivityType.adjustment_applied.value:
        return ActivityData(
            adjustment_id=activity.ledger_entry_id,
            amount=amount,
            reason=activity.note,
            adjustment_type="bonus" if (activity.amount_cents or 0) > 0 else "penalty",
        )
    if kind == ActivityType.payout_recorded.value:
        return ActivityData(payout_id=activity.ledger_entry_id, amount=amount, note=activity.note)
    data = ActivityData(chore_id=activity.chore_id, chore_title=activity.chore_title)
    if kind == ActivityType.chore_approved.value:
        data.reward_amount = amount
    elif kind == ActivityType.chore_rejected.value:
        data.rejection_reason = activity.note
    return data


def present(activity: Activity) -> ActivityOut:
    return ActivityOut(
        id=activity.id,
        user_id=activity.user_id,
        activity_type=activity.activity_type,
        description=activity.description,
        target_user_id=activity.target_user_id,
        activity_data=_data(activity),
        created_at=activity.created_at,
        user=UserOut.model_validate(activity.user) if activity.user else None,
        target_user=UserOut.model_validate(activity.target_user) if activity.target_user else None,
    )
