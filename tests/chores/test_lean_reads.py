"""The lean read paths (chores.reads, served with orjson) answer the very bytes the ORM path did.

So do the answers to a change of an assignment (complete, take back, approve, reject), read back
by id after the commit (reads.changed) rather than through the ORM and pydantic.

GET /chores/available and GET /chores/pending-approval are shaped straight from one Core select;
the ORM path (queries.available_for_child / pending_approvals and schemas.present_*, validated by
pydantic and written by FastAPI's JSON) stays for the pages. Here both run on the same family, made
to hold every case the answer has: fixed and range rewards, one child, several and the pool (free and
claimed), waiting, approved and cooling down, approved and available again, sent back with a reason,
disabled and deleted chores, a calendar schedule with a due time and a season, text beyond ASCII.
"""

from __future__ import annotations

import json
from datetime import date

from fastapi.encoders import jsonable_encoder
from pydantic import TypeAdapter

from chores_tracker import clock
from chores_tracker.chores import queries
from chores_tracker.chores.schemas import (
    AssigneeOut,
    AvailableItemOut,
    AvailableOut,
    ChoreOut,
    CompleteOut,
    PendingApprovalOut,
    ReviewOut,
    present_assignment,
    present_chore,
)
from chores_tracker.identity.models import User
from tests.support.api import Api
from tests.support.family import approve, chore, complete, family, let_cooldown_pass, reject


def fastapi_bytes(model_type: object, value: object) -> bytes:
    """What FastAPI wrote for a response_model: pydantic's JSON-mode dump, then its JSONResponse."""
    dumped = jsonable_encoder(TypeAdapter(model_type).dump_python(value, mode="json"))
    return json.dumps(dumped, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def orm_available(app, child_id: int) -> bytes:
    with app.state.session_factory() as session:
        child = session.get(User, child_id)
        found = queries.available_for_child(session, child)
        now = clock.now()
        assigned = [
            AvailableItemOut(
                chore=present_chore(c, child, now), assignment=present_assignment(slot, now), assignment_id=slot.id
            )
            for c, slot in found.assigned
        ]
        pool = [
            AvailableItemOut(chore=present_chore(c, child, now), assignment=None, assignment_id=None)
            for c in found.pool
        ]
        return fastapi_bytes(
            AvailableOut, AvailableOut(assigned=assigned, pool=pool, total_count=len(assigned) + len(pool))
        )


def orm_pending(app, parent_id: int, **page: int) -> bytes:
    with app.state.session_factory() as session:
        parent = session.get(User, parent_id)
        now = clock.now()
        items = [
            PendingApprovalOut(
                assignment=present_assignment(item.assignment, now),
                assignment_id=item.assignment.id,
                chore=present_chore(item.chore, parent, now),
                assignee=AssigneeOut(id=item.assignment.assignee.id, username=item.assignment.assignee.username),
                assignee_name=item.assignment.assignee.username,
            )
            for item in queries.pending_approvals(session, parent, **page)
        ]
        return fastapi_bytes(list[PendingApprovalOut], items)


def varied_family(api: Api, app):
    home = family(api, kids=3)
    parent, (ana, ben, cleo) = home.parent, home.kids
    ids = [kid.id for kid in home.kids]
    # Waiting for review: one child's, several children's, a range chore's, a pool chore claimed.
    own = chore(api, parent, title="Dishes — täglich ✓", reward="1.50", assignee_ids=[ana.id], is_recurring=True)
    complete(api, ana, own["id"])
    several = chore(api, parent, title="Tidy up", reward="0.75", assignment_mode="multi_independent", assignee_ids=ids)
    complete(api, ben, several["id"])
    complete(api, cleo, several["id"])
    ranged = chore(
        api,
        parent,
        title="Garden",
        reward=None,
        is_range_reward=True,
        min_reward="2",
        max_reward="5.5",
        assignee_ids=[ben.id],
        description="Weeds, then the hedge",
    )
    complete(api, ben, ranged["id"])
    claimed = chore(api, parent, title="Walk the dog", reward="2.00", assignment_mode="unassigned", is_recurring=True)
    complete(api, cleo, claimed["id"])
    # Free pool chores, a calendar one among them.
    chore(api, parent, title="Sweep", reward="0.10", assignment_mode="unassigned", is_recurring=True, cooldown_days=0)
    chore(
        api,
        parent,
        title="Bins out",
        reward="0.99",
        assignment_mode="unassigned",
        schedule={
            "kind": "weekly",
            "weekdays": ["tue"],
            "due_time": "19:30",
            "season": {"start": "11-01", "end": "02-28"},
        },
    )
    # Approved: cooling down, and past its cooldown (available again); sent back with a reason.
    cooling = chore(
        api,
        parent,
        title="Laundry",
        reward="3",
        assignee_ids=[ana.id, ben.id],
        is_recurring=True,
        cooldown_days=3,
        assignment_mode="multi_independent",
    )
    approve(api, parent, complete(api, ana, cooling["id"])["id"])
    again = chore(api, parent, title="Vacuum", reward="1", assignee_ids=[ana.id], is_recurring=True, cooldown_days=1)
    approve(api, parent, complete(api, ana, again["id"])["id"])
    let_cooldown_pass(app, again["id"], days=2)
    sent_back = chore(
        api,
        parent,
        title="Homework",
        reward="0.50",
        assignee_ids=[ana.id, cleo.id],
        assignment_mode="multi_independent",
    )
    reject(api, parent, complete(api, cleo, sent_back["id"])["id"], reason="Do page 2 too")
    # Neither list shows a disabled chore nor a deleted one.
    disabled = chore(api, parent, title="Paused", reward="1", assignee_ids=[ana.id])
    assert api.post(f"/chores/{disabled['id']}/disable", parent).status_code == 200
    deleted = chore(api, parent, title="Gone", reward="1", assignee_ids=[ana.id], is_recurring=True, cooldown_days=0)
    approve(api, parent, complete(api, ana, deleted["id"])["id"])  # available again, with history: hidden when deleted
    assert api.delete(f"/chores/{deleted['id']}", parent).status_code == 204
    return home


def test_the_lean_lists_answer_the_same_bytes_as_the_orm_path(api, app):
    home = varied_family(api, app)
    for kid in home.kids:
        answer = api.get("/chores/available", kid)
        assert answer.status_code == 200
        assert answer.headers["content-type"] == "application/json"
        assert answer.content == orm_available(app, kid.id)
    answer = api.get("/chores/pending-approval", home.parent)
    assert answer.status_code == 200
    assert answer.content == orm_pending(app, home.parent.id)
    assert len(answer.json()) == 5
    for skip, limit in ((0, 1), (1, 2), (4, 10), (9, 1)):
        paged = api.get("/chores/pending-approval", home.parent, params={"skip": skip, "limit": limit})
        assert paged.content == orm_pending(app, home.parent.id, skip=skip, limit=limit)


def test_a_child_sees_its_own_assignment_and_the_free_pool_in_the_lean_list(api, app):
    home = varied_family(api, app)
    ana = home.kids[0]
    found = api.get("/chores/available", ana).json()
    assert {item["chore"]["title"] for item in found["assigned"]} == {"Vacuum", "Homework", "Tidy up"}
    assert {item["chore"]["title"] for item in found["pool"]} == {"Sweep", "Bins out"}
    assert found["total_count"] == 5
    for item in found["assigned"]:
        assert [slot["assignee_id"] for slot in item["chore"]["assignments"]] == [ana.id]
        assert item["assignment"]["id"] == item["assignment_id"]


def test_the_lean_lists_of_a_user_without_a_family_are_empty(api):
    loner = api.parent(with_family=False)
    assert api.get("/chores/pending-approval", loner).json() == []


def test_the_allowance_summary_is_written_as_fastapi_wrote_it(api, app):
    from chores_tracker.periods import Period
    from chores_tracker.reports import service
    from chores_tracker.reports.schemas import AllowanceSummaryOut

    home = varied_family(api, app)
    adjusted = api.post(
        "/adjustments/", home.parent, json={"child_id": home.kids[1].id, "amount": "-0.25", "reason": "Lost the key"}
    )
    assert adjusted.status_code == 201, adjusted.text
    for params in ({}, {"child_id": home.kids[0].id}, {"date_from": "2026-01-01"}):
        answer = api.get("/reports/allowance-summary", home.parent, params=params)
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/json"
        with app.state.session_factory() as session:
            parent = session.get(User, home.parent.id)
            period = Period.from_bounds(date(2026, 1, 1), None) if "date_from" in params else Period()
            expected = service.allowance_summary(session, parent, period, params.get("child_id"))
        assert answer.content == fastapi_bytes(AllowanceSummaryOut, expected)


def orm_change(app, viewer_id: int, answer: dict, model_type: type) -> bytes:
    """What the ORM path answered for the change `answer` names: the chore as committed, for the viewer."""
    chore_json = answer if model_type is ChoreOut else answer["chore"]
    with app.state.session_factory() as session:
        viewer = session.get(User, viewer_id)
        found = queries.reload_chore(session, chore_json["id"])
        now = clock.now()
        if model_type is ChoreOut:
            return fastapi_bytes(ChoreOut, present_chore(found, viewer, now))
        slot = queries.slot_in(found, answer["assignment"]["id"])
        shown = {"chore": present_chore(found, viewer, now), "assignment": present_assignment(slot, now)}
        return fastapi_bytes(model_type, model_type(**shown, message=answer["message"]))


def test_the_answers_to_changes_are_the_same_bytes_as_the_orm_path(api, app):
    home = varied_family(api, app)
    parent, (ana, ben, cleo) = home.parent, home.kids
    ids = [kid.id for kid in home.kids]
    shared = chore(
        api,
        parent,
        title="Set the table ✓",
        reward="0.40",
        assignment_mode="multi_independent",
        assignee_ids=ids,
        is_recurring=True,
        cooldown_days=2,
    )
    ranged = chore(
        api,
        parent,
        title="Wash the car",
        reward=None,
        is_range_reward=True,
        min_reward="1",
        max_reward="4",
        assignee_ids=[ben.id],
    )
    pool = chore(api, parent, title="Feed the fish", reward="0.20", assignment_mode="unassigned", is_recurring=True)
    auto = chore(
        api,
        parent,
        title="Make the bed",
        reward="0.30",
        assignee_ids=[cleo.id],
        auto_approve=True,
        is_recurring=True,
        cooldown_days=1,
    )
    one_off = chore(api, parent, title="Old client's chore", reward="0.60", assignee_ids=[ana.id])
    dropped = chore(api, parent, title="Sent back the old way", reward="0.60", assignee_ids=[cleo.id])

    def answered(person, path: str, model_type: type, json: dict | None = None) -> dict:
        answer = api.post(path, person, json=json)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "application/json"
        assert answer.content == orm_change(app, person.id, answer.json(), model_type), path
        return answer.json()

    waiting = answered(ana, f"/chores/{shared['id']}/complete", CompleteOut)
    answered(ben, f"/chores/{shared['id']}/complete", CompleteOut)
    answered(ana, f"/chores/{shared['id']}/take-back", CompleteOut)
    answered(ana, f"/chores/{shared['id']}/complete", CompleteOut)
    approved = answered(parent, f"/assignments/{waiting['assignment']['id']}/approve", ReviewOut, {})
    assert approved["assignment"]["approval_reward"] == 0.4 and approved["chore"]["next_available_at"] is not None
    for_range = answered(ben, f"/chores/{ranged['id']}/complete", CompleteOut)
    answered(parent, f"/assignments/{for_range['assignment']['id']}/approve", ReviewOut, {"reward_value": "2.75"})
    claimed = answered(cleo, f"/chores/{pool['id']}/complete", CompleteOut)
    answered(
        parent,
        f"/assignments/{claimed['assignment']['id']}/reject",
        ReviewOut,
        {"rejection_reason": "Not yet — täglich"},
    )
    itself = answered(cleo, f"/chores/{auto['id']}/complete", CompleteOut)
    assert itself["assignment"]["is_approved"] is True
    answered(ana, f"/chores/{one_off['id']}/complete", CompleteOut)
    answered(parent, f"/chores/{one_off['id']}/approve", ChoreOut, {})
    answered(cleo, f"/chores/{dropped['id']}/complete", CompleteOut)
    answered(parent, f"/chores/{dropped['id']}/reject", ChoreOut, {"rejection_reason": "Again, please"})
