"""Chore inputs and the contract's Chore and Assignment shapes.

A chore's configuration is declared once, in ChoreBase; the create and update bodies, the Chore
answer and where each field is stored follow from it.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from types import NoneType, UnionType
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, BeforeValidator, Field, create_model, field_validator
from pydantic.fields import FieldInfo

from chores_tracker.chores.models import Assignment, AssignmentMode, AssignmentState, Chore, OccurrenceState
from chores_tracker.chores.occurrences import MAX_SNOOZE_DAYS, OccurrenceView
from chores_tracker.chores.schedule import ScheduleSpec, describe
from chores_tracker.chores.states import effective_state, is_claimed, next_available_at, schedule_of
from chores_tracker.http import Input, RowId
from chores_tracker.identity.models import User
from chores_tracker.identity.schemas import UserOut
from chores_tracker.money import Amount, MoneyNumber, from_cents

MAX_ASSIGNEES = 50
MAX_COOLDOWN_DAYS = 365


class ChoreBase(Input):
    """A chore's configuration: every field a parent sets, each declared once, here.

    ChoreCreate takes them with these defaults, ChoreUpdate any subset, ChoreOut answers with
    them (in this order), the rules' ChoreSpec holds them and the chore form reads and shows them.
    Each is stored in the chores column of its name, an amount in `<name>_cents`; `assignee_ids`
    are the chore's assignments. Which fields are required together is a rule of chores.rules.
    """

    title: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=2000)
    reward: Amount | None = None
    is_range_reward: bool = False
    min_reward: Amount | None = None
    max_reward: Amount | None = None
    cooldown_days: int | None = Field(default=None, ge=0, le=MAX_COOLDOWN_DAYS)
    is_recurring: bool = False
    assignment_mode: AssignmentMode = AssignmentMode.single
    assignee_ids: list[RowId] = Field(default_factory=list, max_length=MAX_ASSIGNEES)
    auto_approve: bool = Field(
        default=False,
        description="Approve each completion at once, at the fixed reward, without a parent's review (not for a range reward).",
    )
    schedule: ScheduleSpec | None = Field(
        default=None,
        description=(
            "When it is due, in the family's time zone: kind (once, daily, every_n_days, weekly, "
            "every_n_weeks, monthly_day, monthly_nth_weekday, monthly_last_day, yearly, after_completion), "
            "interval, weekdays, day_of_month, nth, month, due_date, due_time (HH:MM), anchor, season, "
            "lead_time_hours, grace_hours, missed_penalty_cents, rotation. Absent or null: as it is (a new "
            "chore: as is_recurring and cooldown_days say, 'after_completion' or 'once'). A schedule sets "
            "is_recurring and cooldown_days to match; sending values that contradict it answers 422."
        ),
    )

    @field_validator("title", "description")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() if isinstance(value, str) else value


class ChoreCreate(ChoreBase):
    """A new chore; the fields not sent take their defaults."""


def _any_subset(model: type[ChoreBase], name: str, doc: str) -> type[ChoreBase]:
    """The model with every field optional, so that `model_fields_set` says which were sent."""
    optional: dict[str, Any] = {
        # Every field has an annotation; FieldInfo types it as optional.
        field: (info.annotation | None, FieldInfo.merge_field_infos(info, default=None, default_factory=None))  # type: ignore[operator]
        for field, info in model.model_fields.items()
    }
    return create_model(name, __base__=model, __doc__=doc, **optional)


if TYPE_CHECKING:
    # What mypy can know of a model made at run time: its base's fields (here each is optional).
    ChoreUpdate = ChoreBase
else:
    ChoreUpdate = _any_subset(ChoreBase, "ChoreUpdate", "Any subset of the create fields; only the fields sent change.")


def may_be_null(info: FieldInfo) -> bool:
    return NoneType in get_args(info.annotation)


def _is_amount(annotation: Any) -> bool:
    """Whether a field's type is money: every Decimal is."""
    return annotation is Decimal or any(_is_amount(arg) for arg in get_args(annotation))


AMOUNTS = frozenset(name for name, info in ChoreBase.model_fields.items() if _is_amount(info.annotation))
# The fields kept on the chore's row; the assignees are the chore's assignments.
ON_THE_ROW = tuple(name for name in ChoreBase.model_fields if name != "assignee_ids")


def column_of(name: str) -> str:
    """A field's column in the chores table: its own name, or `<name>_cents` for an amount."""
    return f"{name}_cents" if name in AMOUNTS else name


def stored_configuration(chore: Chore) -> dict[str, Any]:
    """The fields the chore's row holds, as the schema has them (amounts from cents)."""
    values = {name: getattr(chore, column_of(name)) for name in ON_THE_ROW}
    values["schedule"] = schedule_of(chore)  # a chore of the previous release: the one its cooldown means
    return {name: from_cents(value) if name in AMOUNTS else value for name, value in values.items()}


def assignee_ids(chore: Chore, slots: list[Assignment]) -> list[int]:
    """The children a chore is assigned to, by its assignment rows (a pool chore: none, whoever holds it)."""
    return [] if chore.is_pool else [slot.assignee_id for slot in slots if slot.assignee_id]


def _answered(annotation: Any) -> Any:
    """A field's type as answers carry it: amounts as JSON numbers, and without the parsing and
    limits of input (its Annotated parts): what is stored is shown as it is."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _answered(args[0])
    if annotation is Decimal:
        return MoneyNumber
    if origin in (Union, UnionType):
        return Union[tuple(_answered(arg) for arg in args)]  # noqa: UP007 (a union of types known at run time)
    if origin is not None:
        return origin[tuple(_answered(arg) for arg in args)]
    return annotation


# The chore's id, then every configuration field, always present (null when unset).
_configuration_fields: dict[str, Any] = {
    name: (_answered(info.annotation), Field(description=info.description))
    for name, info in ChoreBase.model_fields.items()
}
_ChoreConfigurationOut = create_model("_ChoreConfigurationOut", id=(int, ...), **_configuration_fields)


class ApproveIn(Input):
    reward_value: Amount | None = Field(default=None, description="required for a range chore, within its range")


class RejectIn(Input):
    rejection_reason: str = Field(min_length=1, max_length=500)

    @field_validator("rejection_reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("say why, so the child knows what to do better")
        return value


class AssignmentOut(BaseModel):
    id: int
    chore_id: int
    assignee_id: int | None
    assignee_name: str | None = None
    is_completed: bool
    is_approved: bool
    completion_date: datetime | None = None
    approval_date: datetime | None = None
    approval_reward: MoneyNumber | None = None
    rejection_reason: str | None = None
    next_available_at: datetime | None = Field(
        default=None, description="for an approved recurring chore in its cooldown: when it may be done again"
    )


class ChoreOut(_ChoreConfigurationOut):
    schedule_text: str = Field(description="the schedule in plain English: 'Every Mon, Wed and Fri by 6 pm'")
    assignments: list[AssignmentOut]
    creator_id: int | None
    is_disabled: bool
    created_at: datetime
    updated_at: datetime
    next_available_at: datetime | None = Field(
        default=None,
        description=(
            "a child: when it may do this chore again; a parent: the earliest moment an assignment "
            "now cooling down becomes available again. Null when nothing is cooling down."
        ),
    )


class AvailableItemOut(BaseModel):
    chore: ChoreOut
    assignment: AssignmentOut | None
    assignment_id: int | None


class AvailableOut(BaseModel):
    assigned: list[AvailableItemOut]
    pool: list[AvailableItemOut]
    total_count: int


class AssigneeOut(BaseModel):
    id: int
    username: str


class PendingApprovalOut(BaseModel):
    assignment: AssignmentOut
    assignment_id: int
    chore: ChoreOut
    assignee: AssigneeOut
    assignee_name: str


class CompleteOut(BaseModel):
    chore: ChoreOut
    assignment: AssignmentOut
    message: str


class ReviewOut(BaseModel):
    assignment: AssignmentOut
    chore: ChoreOut
    message: str


class ApproveManyIn(Input):
    assignment_ids: list[RowId] | None = Field(
        default=None,
        max_length=500,
        description="The assignments to approve, each at its fixed reward; left out or null: every one waiting for review.",
    )


class SkippedOut(BaseModel):
    assignment_id: int
    reason: str


class ApproveManyOut(BaseModel):
    approved: list[ReviewOut] = Field(description="each approval, as POST /assignments/{id}/approve answers it")
    skipped: list[SkippedOut] = Field(
        description="not approved, with why: reviewed already (by another parent, or taken back), a range chore (it needs its amount), not found"
    )
    total_approved: MoneyNumber = Field(description="what the approvals earned, together")


class ChildChoreOut(BaseModel):
    id: int = Field(description="the assignment's id")
    chore_id: int
    chore_title: str
    reward: MoneyNumber | None
    is_completed: bool
    is_approved: bool


class ChildWithChoresOut(UserOut):
    chores: list[ChildChoreOut]


def present_assignment(slot: Assignment, now: datetime) -> AssignmentOut:
    state = effective_state(slot, now)
    done = state != AssignmentState.available.value
    approved = state == AssignmentState.approved.value
    return AssignmentOut(
        id=slot.id,
        chore_id=slot.chore_id,
        assignee_id=slot.assignee_id,
        assignee_name=slot.assignee.username if slot.assignee is not None else None,
        is_completed=done,
        is_approved=approved,
        completion_date=slot.completed_at if done else None,
        approval_date=slot.approved_at if approved else None,
        approval_reward=from_cents(slot.approval_reward_cents) if approved else None,
        rejection_reason=slot.rejection_reason if not done else None,
        next_available_at=next_available_at(slot, now),
    )


def shown_assignments(chore: Chore, viewer: User, now: datetime) -> list[Assignment]:
    """A parent sees every assignment; a child only its own. A free pool slot is no one's yet."""
    slots = [slot for slot in chore.assignments if not chore.is_pool or is_claimed(slot, now)]
    if not viewer.is_parent:
        slots = [slot for slot in slots if slot.assignee_id == viewer.id]
    return slots


def present_chore(chore: Chore, viewer: User, now: datetime) -> ChoreOut:
    shown = shown_assignments(chore, viewer, now)
    if viewer.is_parent:
        cooling = [moment for slot in chore.assignments if (moment := next_available_at(slot, now))]
    else:
        mine = [slot for slot in chore.assignments if slot.assignee_id == viewer.id or chore.is_pool]
        cooling = [moment for slot in mine if (moment := next_available_at(slot, now))]
    return ChoreOut(
        id=chore.id,
        **stored_configuration(chore),
        assignee_ids=assignee_ids(chore, chore.assignments),
        schedule_text=describe(schedule_of(chore)),
        assignments=[present_assignment(slot, now) for slot in shown],
        creator_id=chore.creator_id,
        is_disabled=chore.is_disabled,
        created_at=chore.created_at,
        updated_at=chore.updated_at,
        next_available_at=min(cooling) if cooling else None,
    )


# -- schedules: occurrences and pauses ------------------------------------------------------------


def _iso_date(value: object) -> object:
    """A date is written YYYY-MM-DD: no timestamps, no date and time."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        return value
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise ValueError("a date is written YYYY-MM-DD")


IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class OccurrenceOut(BaseModel):
    """One due date of a chore, for one child (or the pool), and its state now."""

    id: int
    chore_id: int
    chore_title: str
    child_id: int | None = Field(description="whose it is; null: a pool chore nobody has done yet")
    child_name: str | None
    due_on: date = Field(description="the family-local date it is due on (a snooze keeps it)")
    due_at: datetime = Field(description="when it is due, UTC: the due time, or the end of the local day")
    due_at_local: datetime = Field(description="the same instant in the family's time zone, with its offset")
    timezone: str = Field(description="the family's IANA time zone")
    has_due_time: bool = Field(description="false: due any time that day (due_at is the day's end)")
    due_from: datetime = Field(
        description="UTC: from when it is due (the start of its day, or earlier with a lead time)"
    )
    overdue_at: datetime = Field(description="UTC: overdue from then on (due time plus grace)")
    missed_at: datetime | None = Field(
        description="UTC: missed then, if still not done (null: it stays overdue until done)"
    )
    state: OccurrenceState = Field(
        description="upcoming, due, overdue, done (waiting for review), approved, rejected (due again), skipped, missed"
    )
    missed_penalty: MoneyNumber = Field(description="charged once if it is missed")
    penalty_charged: bool
    completion_id: int | None = Field(description="the completion that did it (done, approved, rejected)")

    @classmethod
    def of(cls, view: OccurrenceView) -> OccurrenceOut:
        values = {name: getattr(view, name) for name in cls.model_fields if hasattr(view, name)}
        return cls(**values, missed_penalty=from_cents(view.missed_penalty_cents))


class SnoozeIn(Input):
    days: int = Field(ge=1, le=MAX_SNOOZE_DAYS, description="due this many days later, at the same local time")


class PauseIn(Input):
    first_day: IsoDate = Field(description="the first family-local day away, YYYY-MM-DD")
    last_day: IsoDate = Field(description="the last day away (included)")


class PauseOut(BaseModel):
    id: int
    child_id: int
    first_day: date
    last_day: date
    created_at: datetime


class CalendarFeedIn(Input):
    child_id: RowId | None = Field(default=None, description="one child's feed; absent or null: the family's")


class CalendarFeedOut(BaseModel):
    id: int
    child_id: int | None = Field(description="null: the family's feed (every child's occurrences)")
    created_at: datetime


class NewCalendarFeedOut(CalendarFeedOut):
    token: str = Field(description="the feed's secret, shown only now")
    path: str = Field(description="where calendar apps subscribe, under this server: /api/v1/calendar/<token>.ics")


class BadgeOut(BaseModel):
    kind: str = Field(description="days: a day streak reached; on_time: scheduled chores done on time in a row.")
    milestone: int
    title: str


class StreaksOut(BaseModel):
    """A child's streaks, computed from its approved chores and occurrences (docs/chores.md#streaks-and-badges)."""

    child_id: int
    day_streak: int = Field(description="Consecutive days, up to today, with at least one approved chore.")
    best_day_streak: int = Field(description="The longest day streak in the last 400 days.")
    on_time_streak: int = Field(description="Consecutive scheduled occurrences done on time, up to now.")
    best_on_time_streak: int
    badges: list[BadgeOut]
    next_day_milestone: int | None = Field(description="The next day-streak badge; null once all are earned.")
    bonus_percent: int = Field(description="What the family's streak bonus adds to an approval now; 0: none.")
