"""A chore's configuration and its rules, the same for a new chore and an edit. No HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from pydantic import ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker.chores.models import POOL, Assignment, AssignmentMode, Chore
from chores_tracker.chores.schedule import ScheduleKind, ScheduleSpec
from chores_tracker.chores.schemas import (
    AMOUNTS,
    ON_THE_ROW,
    ChoreBase,
    assignee_ids,
    column_of,
    may_be_null,
    stored_configuration,
)
from chores_tracker.chores.states import legacy_fields, legacy_schedule
from chores_tracker.errors import DomainError, InvalidInput
from chores_tracker.identity.models import User
from chores_tracker.money import to_cents


class ChoreSpec(ChoreBase):
    """A chore's complete configuration once the rules have been applied. Built from values
    already checked (a request, or the stored chore), so never validated again."""

    model_config = ConfigDict(frozen=True)


_NOT_NULLABLE = frozenset(name for name, info in ChoreBase.model_fields.items() if not may_be_null(info))


def spec_of(chore: Chore, slots: list[Assignment]) -> ChoreSpec:
    """The configuration a stored chore has now."""
    return ChoreSpec.model_construct(**stored_configuration(chore), assignee_ids=assignee_ids(chore, slots))


def merged_spec(base: ChoreSpec | None, data: ChoreBase) -> ChoreSpec:
    """The sent fields over the current configuration (or over nothing, for a new chore), checked."""
    sent = data.model_fields_set if base is not None else set(ChoreBase.model_fields)
    values = {name: getattr(base, name) for name in ChoreBase.model_fields} if base else {}
    # A schedule left out or sent as null stays as it is: only a schedule sent changes it.
    sent = sent - {"schedule"} if data.schedule is None and base is not None else sent
    for name in sent:
        value = getattr(data, name)
        if value is None and name in _NOT_NULLABLE:
            raise InvalidInput("must not be null", field=name)
        if value == "" and name not in _NOT_NULLABLE:
            value = None  # an optional text left empty is no text
        values[name] = value
    values["assignee_ids"] = list(dict.fromkeys(values["assignee_ids"]))  # duplicates collapse, order kept
    if values["assignment_mode"] == POOL and "assignee_ids" not in sent:
        values["assignee_ids"] = []  # moving a chore into the pool takes it off its children
    problems: list[DomainError] = []
    checked = _checked(ChoreSpec.model_construct(**values), problems)
    spec = _with_schedule(checked, base, data, problems)
    if problems:
        raise DomainError.first_of(problems)
    return spec


# Kinds whose occurrences repeat on the calendar: the ones a missed penalty can apply to.
ONE_OFF_KINDS = (ScheduleKind.once, ScheduleKind.after_completion)


def _with_schedule(spec: ChoreSpec, base: ChoreSpec | None, data: ChoreBase, problems: list[DomainError]) -> ChoreSpec:
    """The schedule and the contract's is_recurring and cooldown_days, made to agree.

    A schedule sent sets them (values sent with it must not contradict it). Without one, a client
    that knows only those two fields keeps the schedule they mean: a new chore gets "N days after
    it is done" or "once"; an edit that changes them changes the schedule to match (keeping an
    after-completion schedule's other settings), and an edit that leaves them as the schedule
    has them (cooldown 0 or none for a calendar schedule) keeps it."""
    explicit = data.model_fields_set
    schedule: ScheduleSpec | None
    if data.schedule is not None:
        schedule = data.schedule
        recurring, cooldown = legacy_fields(schedule)
        if "is_recurring" in explicit and data.is_recurring is not None and data.is_recurring != recurring:
            word = "repeats" if recurring else "happens once"
            problems.append(
                InvalidInput(f"is_recurring must agree with the schedule, which {word}", field="is_recurring")
            )
        if (
            "cooldown_days" in explicit
            and data.cooldown_days not in (None, cooldown)
            and not (cooldown is None and data.cooldown_days == 0)
        ):
            problems.append(
                InvalidInput(
                    "cooldown_days must agree with the schedule (the interval of an after_completion schedule)",
                    field="cooldown_days",
                )
            )
    else:
        schedule = base.schedule if base is not None else None
        if schedule is None or legacy_fields(schedule) != (spec.is_recurring, _cooldown_as_read(schedule, spec)):
            if schedule is not None and schedule.kind == ScheduleKind.after_completion and spec.is_recurring:
                schedule = schedule.model_copy(update={"interval": spec.cooldown_days or 0})
            else:
                schedule = legacy_schedule(spec.is_recurring, spec.cooldown_days)
        recurring, cooldown = legacy_fields(schedule)
    assert schedule is not None
    problems.extend(_schedule_misfits(schedule, spec))
    return spec.model_copy(update={"schedule": schedule, "is_recurring": recurring, "cooldown_days": cooldown})


def _cooldown_as_read(schedule: ScheduleSpec, spec: ChoreSpec) -> int | None:
    """A calendar schedule has no cooldown: a client sending 0 (or nothing) for one changes nothing."""
    if legacy_fields(schedule)[1] is None and spec.cooldown_days in (0, None):
        return None
    return spec.cooldown_days


def _schedule_misfits(schedule: ScheduleSpec, spec: ChoreSpec) -> list[DomainError]:
    found: list[DomainError] = []
    if schedule.rotation.value != "none" and (
        spec.assignment_mode != AssignmentMode.multi_independent.value or len(spec.assignee_ids) < 2
    ):
        found.append(
            InvalidInput(
                "a rotation takes turns between several children: use assignment_mode multi_independent "
                "with two or more assignee_ids",
                field="schedule.rotation",
            )
        )
    if schedule.missed_penalty_cents:
        if schedule.kind in ONE_OFF_KINDS:
            found.append(
                InvalidInput(
                    f"a {schedule.kind.value} chore is never missed (it stays overdue until done): "
                    "a missed penalty needs a repeating calendar schedule",
                    field="schedule.missed_penalty_cents",
                )
            )
        elif spec.assignment_mode == POOL:
            found.append(
                InvalidInput(
                    "a pool chore is nobody's until someone does it: it cannot carry a missed penalty",
                    field="schedule.missed_penalty_cents",
                )
            )
    return found


def _checked(spec: ChoreSpec, problems: list[DomainError]) -> ChoreSpec:
    """The spec made whole (the fields a choice leaves out cleared); what is wrong goes to `problems`,
    every problem at once, in the order of the form."""
    if not spec.title:
        problems.append(InvalidInput("a chore needs a title", field="title"))
    if spec.is_range_reward and spec.auto_approve:
        problems.append(
            InvalidInput(
                "a range reward needs a parent to choose the amount: auto-approve is for a fixed reward",
                field="auto_approve",
            )
        )
    if spec.is_range_reward:
        if spec.min_reward is None:
            problems.append(InvalidInput("a range reward needs min_reward", field="min_reward"))
        if spec.max_reward is None:
            problems.append(InvalidInput("a range reward needs max_reward", field="max_reward"))
        elif spec.min_reward is not None and spec.min_reward > spec.max_reward:
            problems.append(InvalidInput("max_reward must be at least min_reward", field="max_reward"))
        spec = spec.model_copy(update={"reward": None})
    else:
        if spec.reward is None:
            problems.append(InvalidInput("a fixed reward chore needs a reward (0 or more)", field="reward"))
        spec = spec.model_copy(update={"min_reward": None, "max_reward": None})
    count = len(spec.assignee_ids)
    if spec.assignment_mode == AssignmentMode.single.value and count != 1:
        problems.append(InvalidInput("a single-child chore takes exactly one assignee", field="assignee_ids"))
    if spec.assignment_mode == AssignmentMode.multi_independent.value and count < 1:
        problems.append(InvalidInput("a multi-child chore takes at least one assignee", field="assignee_ids"))
    if spec.assignment_mode == POOL and count:
        problems.append(
            InvalidInput("a pool chore takes no assignees: any child of the family may do it", field="assignee_ids")
        )
    if spec.is_recurring:
        spec = spec.model_copy(update={"cooldown_days": spec.cooldown_days or 0})
    else:
        if spec.cooldown_days:
            problems.append(InvalidInput("only a recurring chore has a cooldown", field="cooldown_days"))
        spec = spec.model_copy(update={"cooldown_days": None})
    return spec


def check_assignees(session: Session, parent: User, children: Sequence[int]) -> None:
    """Every assignee must be an active child of the parent's family."""
    if not children:
        return
    found = set(
        session.scalars(
            select(User.id).where(
                User.id.in_(children),
                User.family_id == parent.family_id,
                User.is_parent.is_(False),
                User.is_active.is_(True),
            )
        )
    )
    missing = [i for i in children if i not in found]
    if missing:
        raise InvalidInput(f"not children of your family: {missing}", field="assignee_ids")


def apply_spec(chore: Chore, spec: ChoreSpec) -> None:
    """Writes the configuration onto the chore's row (its assignments are the caller's)."""
    for name in ON_THE_ROW:
        value = getattr(spec, name)
        if name in AMOUNTS and value is not None:
            value = to_cents(value)
        elif isinstance(value, Enum):
            value = value.value  # what the column's CHECK constraint lists; a driver may spell the enum otherwise
        setattr(chore, column_of(name), value)
