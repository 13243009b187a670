"""A chore's configuration and its rules, the same for a new chore and an edit. No HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum

from pydantic import ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker.chores.models import POOL, Assignment, AssignmentMode, Chore
from chores_tracker.chores.schemas import (
    AMOUNTS,
    ON_THE_ROW,
    ChoreBase,
    assignee_ids,
    column_of,
    may_be_null,
    stored_configuration,
)
from chores_tracker.errors import InvalidInput
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
    return _checked(ChoreSpec.model_construct(**values))


def _checked(spec: ChoreSpec) -> ChoreSpec:
    if not spec.title:
        raise InvalidInput("a chore needs a title", field="title")
    if spec.is_range_reward:
        if spec.min_reward is None:
            raise InvalidInput("a range reward needs min_reward", field="min_reward")
        if spec.max_reward is None:
            raise InvalidInput("a range reward needs max_reward", field="max_reward")
        if spec.min_reward > spec.max_reward:
            raise InvalidInput("max_reward must be at least min_reward", field="max_reward")
        spec = spec.model_copy(update={"reward": None})
    else:
        if spec.reward is None:
            raise InvalidInput("a fixed reward chore needs a reward (0 or more)", field="reward")
        spec = spec.model_copy(update={"min_reward": None, "max_reward": None})
    count = len(spec.assignee_ids)
    if spec.assignment_mode == AssignmentMode.single.value and count != 1:
        raise InvalidInput("a single-child chore takes exactly one assignee", field="assignee_ids")
    if spec.assignment_mode == AssignmentMode.multi_independent.value and count < 1:
        raise InvalidInput("a multi-child chore takes at least one assignee", field="assignee_ids")
    if spec.assignment_mode == POOL and count:
        raise InvalidInput("a pool chore takes no assignees: any child of the family may do it", field="assignee_ids")
    if spec.is_recurring:
        spec = spec.model_copy(update={"cooldown_days": spec.cooldown_days or 0})
    else:
        if spec.cooldown_days:
            raise InvalidInput("only a recurring chore has a cooldown", field="cooldown_days")
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
