"""Helpers for the chores domain's tests: a family, chores, and moving stored time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from tests.support.api import Api, Person


@dataclass
class Family:
    parent: Person
    kids: list[Person]


def family(api: Api, kids: int = 2) -> Family:
    parent = api.parent()
    return Family(parent, [api.child(parent) for _ in range(kids)])


def chore(api: Api, parent: Person, **fields: object) -> dict:
    body: dict = {"title": "Feed the cat", "reward": "1.00", "assignment_mode": "single", "assignee_ids": []}
    body.update(fields)
    response = api.post("/chores", parent, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def complete(api: Api, child: Person, chore_id: int) -> dict:
    response = api.post(f"/chores/{chore_id}/complete", child)
    assert response.status_code == 200, response.text
    return response.json()["assignment"]


def approve(api: Api, parent: Person, assignment_id: int, amount: object = None) -> dict:
    body = {} if amount is None else {"reward_value": amount}
    response = api.post(f"/assignments/{assignment_id}/approve", parent, json=body)
    assert response.status_code == 200, response.text
    return response.json()


def reject(api: Api, parent: Person, assignment_id: int, reason: str = "not done yet") -> dict:
    response = api.post(f"/assignments/{assignment_id}/reject", parent, json={"rejection_reason": reason})
    assert response.status_code == 200, response.text
    return response.json()


def assignment_of(chore_json: dict, child: Person) -> dict:
    return next(a for a in chore_json["assignments"] if a["assignee_id"] == child.id)


def parse_time(value: str) -> datetime:
    return datetime.fromisoformat(value)


def let_cooldown_pass(app, chore_id: int, days: float) -> None:
    """Moves a chore's approvals `days` into the past, as if that much time had gone by.

    History rewritten by hand is no write the app would make: the family's revision is bumped by
    hand too, so that no answer kept or tagged before it (ETags, the answer cache) is believed."""
    from chores_tracker.chores.models import Assignment, Chore
    from chores_tracker.db.revisions import bump

    with app.state.session_factory() as session:
        for slot in session.scalars(select(Assignment).where(Assignment.chore_id == chore_id)):
            if slot.approved_at is not None:
                slot.approved_at -= timedelta(days=days)
            if slot.available_at is not None:
                slot.available_at -= timedelta(days=days)
        bump(session, [session.get(Chore, chore_id).family_id])
        session.commit()
