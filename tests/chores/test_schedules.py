"""Schedules through the API: occurrences in the family's zone, completing early, skipping and
snoozing, editing without rewriting history, and the contract's fields for clients that never send
a schedule. The time step (overdue, missed, penalties) is in test_time_step.py."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.api import Api
from tests.support.family import approve, chore, complete, family


def today() -> date:
    return datetime.now(UTC).date()


MWF_6PM = {"kind": "weekly", "weekdays": ["mon", "wed", "fri"], "due_time": "18:00"}


def set_zone(api: Api, parent, name: str) -> None:
    response = api.put("/families/timezone", parent, json={"timezone": name})
    assert response.status_code == 200, response.text


def occurrences_of(api: Api, who, **params) -> list[dict]:
    response = api.get("/occurrences", who, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_weekly_chore_is_due_on_its_days_at_its_local_time_in_the_familys_zone(api):
    home = family(api, kids=1)
    set_zone(api, home.parent, "America/Chicago")
    made = chore(api, home.parent, title="Trash", assignee_ids=[home.kids[0].id], schedule=MWF_6PM)
    assert made["schedule"]["kind"] == "weekly" and made["schedule"]["weekdays"] == [0, 2, 4]
    assert made["schedule_text"] == "Every Mon, Wed and Fri by 6 pm"
    # The contract's fields say what a client that knows no schedules needs: it repeats, no cooldown.
    assert (made["is_recurring"], made["cooldown_days"]) == (True, None)

    found = occurrences_of(api, home.kids[0], date_from=str(today()), date_to=str(today() + timedelta(13)))
    assert len(found) >= 5
    chicago = ZoneInfo("America/Chicago")
    for item in found:
        local = datetime.fromisoformat(item["due_at_local"])
        due_on = date.fromisoformat(item["due_on"])
        assert due_on.weekday() in (0, 2, 4)
        assert local.replace(tzinfo=None) == datetime.combine(due_on, time(18, 0))
        assert datetime.fromisoformat(item["due_at"]) == datetime.combine(due_on, time(18, 0), chicago)
        assert item["timezone"] == "America/Chicago" and item["child_id"] == home.kids[0].id
        assert item["state"] in ("upcoming", "due", "overdue")
    # Parents see the family's; the list can be for one child.
    assert occurrences_of(api, home.parent, child_id=home.kids[0].id) == occurrences_of(api, home.kids[0])


def test_a_client_that_never_sends_a_schedule_sees_the_cooldown_as_before(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id], is_recurring=True, cooldown_days=2)
    assert (made["is_recurring"], made["cooldown_days"]) == (True, 2)
    assert made["schedule"]["kind"] == "after_completion" and made["schedule"]["interval"] == 2
    one_off = chore(api, home.parent, assignee_ids=[kid.id])
    assert (one_off["is_recurring"], one_off["cooldown_days"], one_off["schedule"]["kind"]) == (False, None, "once")

    assignment = complete(api, kid, made["id"])
    reviewed = approve(api, home.parent, assignment["id"])
    approved_at = datetime.fromisoformat(reviewed["assignment"]["approval_date"])
    assert datetime.fromisoformat(reviewed["assignment"]["next_available_at"]) == approved_at + timedelta(days=2)
    # Its next occurrence is due two days after the day it was done.
    upcoming = [o for o in occurrences_of(api, kid, date_to=str(today() + timedelta(5))) if o["state"] != "approved"]
    assert [o["due_on"] for o in upcoming] == [str(approved_at.date() + timedelta(days=2))]

    # An old client's edit of the cooldown changes the schedule with it, and the other way round.
    edited = api.put(f"/chores/{made['id']}", home.parent, json={"cooldown_days": 5}).json()
    assert (edited["cooldown_days"], edited["schedule"]["interval"]) == (5, 5)


def test_a_child_may_complete_early_and_the_next_one_opens_once_this_ones_time_has_passed(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id], schedule={"kind": "daily", "due_time": "23:59"})
    first = occurrences_of(api, kid, date_to=str(today() + timedelta(3)))[0]

    assignment = complete(api, kid, made["id"])
    done = next(o for o in occurrences_of(api, kid, date_to=str(today() + timedelta(3))) if o["id"] == first["id"])
    assert done["state"] == "done" and done["completion_id"] is not None

    reviewed = approve(api, home.parent, assignment["id"])
    again = datetime.fromisoformat(reviewed["assignment"]["next_available_at"])
    assert again == datetime.fromisoformat(first["due_at"])  # done early: the next one opens at this one's time
    states = {o["id"]: o["state"] for o in occurrences_of(api, home.parent, date_to=str(today() + timedelta(3)))}
    assert states[first["id"]] == "approved"


def test_a_parent_skips_or_snoozes_one_occurrence_and_a_child_may_not(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    chore(api, home.parent, assignee_ids=[kid.id], schedule={"kind": "daily", "due_time": "20:00"})
    first, second, *_ = occurrences_of(api, home.parent, date_to=str(today() + timedelta(5)))

    assert api.post(f"/occurrences/{first['id']}/skip", kid).status_code == 403
    skipped = api.post(f"/occurrences/{first['id']}/skip", home.parent)
    assert skipped.status_code == 200 and skipped.json()["state"] == "skipped"
    again = api.post(f"/occurrences/{first['id']}/skip", home.parent)
    assert again.status_code == 409 and "skipped" in again.text

    snoozed = api.post(f"/occurrences/{second['id']}/snooze", home.parent, json={"days": 2})
    assert snoozed.status_code == 200, snoozed.text
    moved = snoozed.json()
    assert moved["due_on"] == second["due_on"]  # it stands for the same day
    assert datetime.fromisoformat(moved["due_at"]) == datetime.fromisoformat(second["due_at"]) + timedelta(days=2)
    assert api.post(f"/occurrences/{second['id']}/snooze", home.parent, json={"days": 0}).status_code == 422

    stranger = api.parent()
    assert api.post(f"/occurrences/{second['id']}/skip", stranger).status_code == 404


def test_a_rotation_chore_is_listed_only_to_the_child_whose_turn_it_is(api):
    home = family(api, kids=2)
    first, second = home.kids
    made = chore(
        api,
        home.parent,
        assignment_mode="multi_independent",
        assignee_ids=[first.id, second.id],
        schedule={"kind": "daily", "rotation": "round_robin"},  # date-only: today's is due at midnight
    )
    turns = occurrences_of(api, home.parent, date_to=str(today() + timedelta(1)))
    assert [(o["due_on"], o["child_id"]) for o in turns] == [
        (str(today()), first.id),
        (str(today() + timedelta(1)), second.id),
    ]

    def listed(kid) -> list[int]:
        response = api.get("/chores/available", kid)
        assert response.status_code == 200, response.text
        answer = response.json()
        assert set(answer) == {"assigned", "pool", "total_count"}  # the contract's shape
        return [item["chore"]["id"] for item in answer["assigned"]]

    # Today is the first child's turn: the chore is listed to it, not to the second child.
    assert listed(first) == [made["id"]] and listed(second) == []
    refused = api.post(f"/chores/{made['id']}/complete", second)
    assert refused.status_code == 409 and "it is not your turn" in refused.text
    assert occurrences_of(api, home.parent, date_to=str(today()))[0]["state"] in ("due", "upcoming")

    assignment = complete(api, first, made["id"])
    approve(api, home.parent, assignment["id"])
    # Today's is done: the next turn is tomorrow's, the second child's (who may do it early).
    assert listed(first) == [] and listed(second) == [made["id"]]
    refused = api.post(f"/chores/{made['id']}/complete", first)
    assert refused.status_code == 409
    complete(api, second, made["id"])
    states = {
        o["due_on"]: (o["state"], o["child_id"])
        for o in occurrences_of(api, home.parent, date_to=str(today() + timedelta(1)))
    }
    assert states == {str(today()): ("approved", first.id), str(today() + timedelta(1)): ("done", second.id)}


def test_editing_a_schedule_keeps_what_happened_and_replans_what_is_to_come(api):
    home = family(api, kids=1)
    kid = home.kids[0]
    made = chore(api, home.parent, assignee_ids=[kid.id], schedule={"kind": "daily", "due_time": "23:59"})
    window = {"date_to": str(today() + timedelta(20))}
    done_one = occurrences_of(api, kid, **window)[0]
    approve(api, home.parent, complete(api, kid, made["id"])["id"])

    sunday_only = {"kind": "weekly", "weekdays": ["sun"], "due_time": "10:00"}
    edited = api.put(f"/chores/{made['id']}", home.parent, json={"schedule": sunday_only})
    assert edited.status_code == 200, edited.text
    after = occurrences_of(api, kid, **window)
    kept = [o for o in after if o["id"] == done_one["id"]]
    assert kept and kept[0]["state"] == "approved" and kept[0]["due_at"] == done_one["due_at"]
    to_come = [o for o in after if o["state"] == "upcoming"]
    assert to_come and all(date.fromisoformat(o["due_on"]).weekday() == 6 for o in to_come)
    assert len({(o["due_on"]) for o in after}) == len(after)  # never two on one day


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"schedule": {"kind": "weekly"}}, "weekdays"),
        ({"schedule": {"kind": "daily", "due_time": "25:00"}}, "due_time"),
        ({"schedule": {"kind": "daily", "rotation": "round_robin"}}, "schedule.rotation"),
        ({"schedule": {"kind": "once", "missed_penalty_cents": 50}}, "schedule.missed_penalty_cents"),
        ({"schedule": MWF_6PM, "is_recurring": False}, "is_recurring"),
        (
            {"schedule": {"kind": "after_completion", "interval": 3}, "is_recurring": True, "cooldown_days": 4},
            "cooldown_days",
        ),
    ],
)
def test_a_schedule_that_makes_no_sense_answers_422_saying_where(api, fields, where):
    home = family(api, kids=1)
    body = {"title": "Odd", "reward": "1.00", "assignment_mode": "single", "assignee_ids": [home.kids[0].id], **fields}
    response = api.post("/chores", home.parent, json=body)
    assert response.status_code == 422, response.text
    assert where.split(".")[-1] in response.text


def test_the_occurrence_list_refuses_a_range_it_cannot_answer(api):
    home = family(api, kids=1)
    assert (
        api.get("/occurrences", home.parent, params={"date_from": "2026-12-10", "date_to": "2026-12-01"}).status_code
        == 422
    )
    assert (
        api.get("/occurrences", home.parent, params={"date_from": "2026-01-01", "date_to": "2026-12-01"}).status_code
        == 422
    )
    assert api.get("/occurrences", home.parent, params={"date_from": "yesterday"}).status_code == 422
    other = family(api, kids=1)
    assert api.get("/occurrences", home.parent, params={"child_id": other.kids[0].id}).status_code == 404
    assert api.get("/occurrences", home.kids[0], params={"child_id": other.kids[0].id}).status_code == 404
