"""A chore's configuration and its rules, the same for a new chore and an edit. No HTTP."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from chores_tracker.chores.models import POOL, Assignment, AssignmentMode, Chore
from chores_tracker.chores.schemas import ChoreFields
from chores_tracker.errors import InvalidInput
from chores_tracker.identity.models import User
from chores_tracker.money import to_cents


@dataclass(frozen=True)
class ChoreSpec:
    """A chore's complete configuration once the rules have been applied."""

    title: str
    description: str | None
    reward_cents: int | None
    is_range_reward: bool
    min_reward_cents: int | None
    max_reward_cents: int | None
    assignment_mode: str
    assignee_ids: tuple[int, ...]
    is_recurring: bool
    cooldown_days: int | None


_NOT_NULLABLE = ("title", "is_range_reward", "assignment_mode", "assignee_ids", "is_recurring")


def _cents(value: Decimal | None) -> int | None:
    return None if value is None else to_cents(value)


def spec_of(chore: Chore, slots: list[Assignment]) -> ChoreSpec:
    """The configuration a stored chore has now."""
    return ChoreSpec(
        title=chore.title,
        description=chore.description,
        reward_cents=chore.reward_cents,
        is_range_reward=chore.is_range_reward,
        min_reward_cents=chore.min_reward_cents,
        max_reward_cents=chore.max_reward_cents,
        assignment_mode=chore.assignment_mode,
        assignee_ids=() if chore.is_pool else tuple(slot.assignee_id for slot in slots if slot.assignee_id),
        is_recurring=chore.is_recurring,
        cooldown_days=chore.cooldown_days,
    )


def merged_spec(base: ChoreSpec | None, data: ChoreFields) -> ChoreSpec:
    """The sent fields over the current configuration (or over nothing, for a new chore), checked."""
    sent = data.model_fields_set if base is not None else set(type(data).model_fields)
    values = {f.name: getattr(base, f.name) for f in fields(ChoreSpec)} if base else {}
    for name in sent:
        value = getattr(data, name)
        if value is None and name in _NOT_NULLABLE:
            raise InvalidInput("must not be null", field=name)
        if name in ("reward", "min_reward", "max_reward"):
            values[f"{name}_cents"] = _cents(value)
        elif name == "assignment_mode":
            values[name] = value.value
        elif name == "assignee_ids":
            values[name] = tuple(dict.fromkeys(value))  # duplicates collapse, order kept
        else:
            values[name] = value
    if values.get("assignment_mode") == POOL and "assignee_ids" not in sent:
        values["assignee_ids"] = ()  # moving a chore into the pool takes it off its children
    for f in fields(ChoreSpec):
        values.setdefault(f.name, None)
    return _checked(ChoreSpec(**values))


def _checked(spec: ChoreSpec) -> ChoreSpec:
    if not spec.title:
        raise InvalidInput("a chore needs a title", field="title")
    if spec.is_range_reward:
        if spec.min_reward_cents is None:
            raise InvalidInput("a range reward needs min_reward", field="min_reward")
        if spec.max_reward_cents is None:
            raise InvalidInput("a range reward needs max_reward", field="max_reward")
        if spec.min_reward_cents > spec.max_reward_cents:
            raise InvalidInput("max_reward must be at least min_reward", field="max_reward")
        spec = replace(spec, reward_cents=None)
    else:
        if spec.reward_cents is None:
            raise InvalidInput("a fixed reward chore needs a reward (0 or more)", field="reward")
        spec = replace(spec, min_reward_cents=None, max_reward_cents=None)
    count = len(spec.assignee_ids)
    if spec.assignment_mode == AssignmentMode.single.value and count != 1:
        raise InvalidInput("a single-child chore takes exactly one assignee", field="assignee_ids")
    if spec.assignment_mode == AssignmentMode.multi_independent.value and count < 1:
        raise InvalidInput("a multi-child chore takes at least one assignee", field="assignee_ids")
    if spec.assignment_mode == POOL and count:
        raise InvalidInput("a pool chore takes no assignees: any child of the family may do it", field="assignee_ids")
    if spec.is_recurring:
        spec = replace(spec, cooldown_days=spec.cooldown_days or 0)
    else:
        if spec.cooldown_days:
            raise InvalidInput("only a recurring chore has a cooldown", field="cooldown_days")
        spec = replace(spec, cooldown_days=None)
    return spec


def check_assignees(session: Session, parent: User, assignee_ids: tuple[int, ...]) -> None:
    """Every assignee must be an active child of the parent's family."""
    if not assignee_ids:
        return
    found = set(
        session.scalars(
            select(User.id).where(
                User.id.in_(assignee_ids),
                User.family_id == parent.family_id,
                User.is_parent.is_(False),
                User.is_active.is_(True),
            )
        )
    )
    missing = [i for i in assignee_ids if i not in found]
    if missing:
        raise InvalidInput(f"not children of your family: {missing}", field="assignee_ids")


def apply_spec(chore: Chore, spec: ChoreSpec) -> None:
    """Writes the configuration onto the chore row (its assignments are the caller's)."""
    chore.title = spec.title
    chore.description = spec.description or None
    chore.reward_cents = spec.reward_cents
    chore.is_range_reward = spec.is_range_reward
    chore.min_reward_cents = spec.min_reward_cents
    chore.max_reward_cents = spec.max_reward_cents
    chore.assignment_mode = spec.assignment_mode
    chore.is_recurring = spec.is_recurring
    chore.cooldown_days = spec.cooldown_days
