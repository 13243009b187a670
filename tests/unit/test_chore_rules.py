"""What a valid chore is (chores.rules), as pure functions: no database, no app."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chores_tracker.chores.rules import apply_spec, merged_spec
from chores_tracker.chores.schemas import ChoreCreate, ChoreUpdate
from chores_tracker.db.models import Chore  # every model, so that a Chore can be made
from chores_tracker.errors import InvalidInput


def new(**fields: object):
    return merged_spec(None, ChoreCreate(**{"title": "Feed the cat", "reward": 2, "assignee_ids": [7], **fields}))


def stored(spec) -> Chore:
    chore = Chore()
    apply_spec(chore, spec)
    return chore


def refused_field(**fields: object) -> str | None:
    with pytest.raises(InvalidInput) as refused:
        new(**fields)
    return refused.value.field


def test_a_fixed_chore_keeps_its_reward_in_cents_and_drops_range_bounds():
    chore = stored(new(reward="2.50", min_reward=1, max_reward=3))
    assert (chore.reward_cents, chore.min_reward_cents, chore.max_reward_cents) == (250, None, None)


def test_a_range_chore_keeps_its_bounds_and_drops_the_fixed_reward():
    chore = stored(new(is_range_reward=True, min_reward=Decimal("1.00"), max_reward=Decimal("3.50")))
    assert (chore.reward_cents, chore.min_reward_cents, chore.max_reward_cents) == (None, 100, 350)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"reward": None}, "reward"),
        ({"is_range_reward": True, "max_reward": 3}, "min_reward"),
        ({"is_range_reward": True, "min_reward": 1}, "max_reward"),
        ({"is_range_reward": True, "min_reward": 4, "max_reward": 3}, "max_reward"),
        ({"assignee_ids": []}, "assignee_ids"),
        ({"assignee_ids": [1, 2]}, "assignee_ids"),
        ({"assignment_mode": "multi_independent", "assignee_ids": []}, "assignee_ids"),
        ({"assignment_mode": "unassigned", "assignee_ids": [1]}, "assignee_ids"),
        ({"cooldown_days": 3}, "cooldown_days"),
        ({"title": "   "}, "title"),
    ],
)
def test_an_incoherent_chore_is_refused_naming_the_field(fields, field):
    assert refused_field(**fields) == field


def test_duplicate_assignees_collapse_keeping_their_order():
    spec = new(assignment_mode="multi_independent", assignee_ids=[3, 1, 3, 2, 1])
    assert spec.assignee_ids == [3, 1, 2]


def test_a_recurring_chore_without_a_cooldown_gets_zero_days_and_a_one_off_none():
    assert new(is_recurring=True).cooldown_days == 0
    assert new(is_recurring=True, cooldown_days=2).cooldown_days == 2
    assert new().cooldown_days is None


def test_an_edit_changes_only_the_fields_sent():
    base = new(description="in the kitchen")
    edited = merged_spec(base, ChoreUpdate(reward=5))
    assert edited.reward == 5
    assert (edited.title, edited.description, edited.assignee_ids) == (base.title, base.description, base.assignee_ids)


def test_moving_a_chore_into_the_pool_takes_it_off_its_children():
    edited = merged_spec(new(), ChoreUpdate(assignment_mode="unassigned"))
    assert (edited.assignment_mode, edited.assignee_ids) == ("unassigned", [])


def test_an_edit_may_not_null_a_required_field():
    with pytest.raises(InvalidInput) as refused:
        merged_spec(new(), ChoreUpdate(title=None))
    assert refused.value.field == "title"
