"""One place per field: every field of a chore's configuration (chores.schemas.ChoreBase) goes
through each place derived from it (the create and update bodies, the rules' spec, the chores row,
the answer, the page form) and comes back unchanged. No database: the row is made in memory.

A field added to ChoreBase needs a value in one of the chores below (the first test says so).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from chores_tracker.chores.models import AssignmentMode, AssignmentState
from chores_tracker.chores.rules import ChoreSpec, apply_spec, merged_spec, spec_of
from chores_tracker.chores.schedule import ScheduleKind, ScheduleSpec
from chores_tracker.chores.schemas import ON_THE_ROW, ChoreBase, ChoreCreate, ChoreUpdate, column_of, present_chore
from chores_tracker.db.models import Assignment, Chore, User  # every model, so that rows can be made
from chores_tracker.web.chore_pages import _chore_fields, _form_from_chore

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
PARENT = User(id=1, username="mum", is_parent=True, family_id=1)

# Two chores that, between them, give every field a value other than its default.
FIXED = {
    "title": "Feed the cat",
    "description": "Twice a day",
    "reward": Decimal("2.50"),
    "cooldown_days": 3,
    "is_recurring": True,
    "assignment_mode": AssignmentMode.multi_independent,
    "assignee_ids": [7, 8],
    "schedule": ScheduleSpec(kind=ScheduleKind.after_completion, interval=3, due_time="18:00", grace_hours=2),
    "auto_approve": True,  # a fixed reward only: a range's amount is chosen at review
}
RANGE = {
    "title": "Wash the car",
    "is_range_reward": True,
    "min_reward": Decimal("1.00"),
    "max_reward": Decimal("5.25"),
    "assignment_mode": AssignmentMode.single,
    "assignee_ids": [7],
}
CHORES = [pytest.param(FIXED, RANGE, id="fixed"), pytest.param(RANGE, FIXED, id="range")]


def configuration(shape: object) -> dict:
    return {name: getattr(shape, name) for name in ChoreBase.model_fields}


def created(fields: dict) -> ChoreSpec:
    return merged_spec(None, ChoreCreate(**fields))


def stored(spec: ChoreSpec) -> Chore:
    chore = Chore(id=1, family_id=1, creator_id=PARENT.id, is_disabled=False, created_at=NOW, updated_at=NOW)
    apply_spec(chore, spec)
    chore.assignments = [
        Assignment(
            id=i,
            chore_id=1,
            assignee_id=child,
            state=AssignmentState.available.value,
            assignee=User(id=child, username=f"kid{child}"),
        )
        for i, child in enumerate(spec.assignee_ids, start=1)
    ]
    return chore


def test_every_field_has_a_value_other_than_its_default_here():
    for name, info in ChoreBase.model_fields.items():
        default = info.get_default(call_default_factory=True)
        assert any(fields.get(name, default) != default for fields in (FIXED, RANGE)), f"give {name} a value above"


def test_every_field_kept_on_the_row_is_a_column_of_chores():
    assert {column_of(name) for name in ON_THE_ROW} <= set(Chore.__table__.columns.keys())


@pytest.mark.parametrize(("fields", "other"), CHORES)
def test_a_new_chore_keeps_every_field_sent(fields, other):
    spec = created(fields)
    assert {name: value for name, value in configuration(spec).items() if name in fields} == fields


@pytest.mark.parametrize(("fields", "other"), CHORES)
def test_every_field_is_stored_on_the_chore_and_read_back(fields, other):
    spec = created(fields)
    chore = stored(spec)
    assert configuration(spec_of(chore, chore.assignments)) == configuration(spec)


@pytest.mark.parametrize(("fields", "other"), CHORES)
def test_every_field_is_in_the_answer(fields, other):
    spec = created(fields)
    assert configuration(present_chore(stored(spec), PARENT, NOW)) == configuration(spec)


@pytest.mark.parametrize(("fields", "other"), CHORES)
def test_an_edit_can_set_every_field(fields, other):
    spec = created(fields)
    edit = ChoreUpdate(**configuration(spec))
    assert edit.model_fields_set == set(ChoreBase.model_fields)
    assert configuration(merged_spec(created(other), edit)) == configuration(spec)


@pytest.mark.parametrize(("fields", "other"), CHORES)
def test_the_edit_form_shows_every_field_and_saving_it_unchanged_keeps_the_chore(fields, other):
    spec = created(fields)
    form = _form_from_chore(stored(spec), PARENT)
    sent, _ = _chore_fields(form)
    assert configuration(created(sent)) == configuration(spec)
