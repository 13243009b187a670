"""Every form post of the pages that writes bumps its family's revision (db.revisions), as the API's
routes do (tests/test_family_revision.py): the ETags of the API's reads must not outlive a change
made in the browser. The cases are checked against the app's route table, so a new form post is
checked the day it is added."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from chores_tracker.db.revisions import FAMILIES
from tests.operations.test_unencodable_input import PUSH_FORM
from tests.support.api import PASSWORD
from tests.support.routes import routes
from tests.web.conftest import Visitor, user_id

# Signing up and logging in change no family's answers (a new account; a session row).
NO_FAMILY = {"/signup", "/login", "/login/pin/{child_id}"}


@dataclass
class World:
    owner: Visitor
    co_parent: Visitor
    child: Visitor
    loner: Visitor  # signed up, no family yet
    family_id: int
    child_id: int
    co_parent_id: int
    chore_id: int  # the child's, available
    waiting_id: int  # a chore the child has done, waiting for review
    slot_id: int  # its assignment
    invite_code: str
    made: dict[str, object] = field(default_factory=dict)  # what a case's prepare made, for its url


def build(app, visitor) -> World:
    owner, co_parent, child, loner = visitor(), visitor(), visitor(), visitor()
    owner.parent_with_family()
    kid_name = owner.add_child()
    kid = user_id(app, kid_name)
    child.log_in(kid_name)
    for title in ("Dishes", "Bins"):
        made = owner.api("POST", "/chores", json={"title": title, "reward": "1.50", "assignee_ids": [kid]})
        assert made.status_code == 201, made.text
    chores = {c["title"]: c["id"] for c in owner.api("GET", "/chores").json()}
    done = child.api("POST", f"/chores/{chores['Bins']}/complete")
    assert done.status_code == 200, done.text
    bonus = owner.api("POST", "/adjustments/", json={"child_id": kid, "amount": "5", "reason": "Savings"})
    assert bonus.status_code == 201, bonus.text
    code = owner.api("POST", "/families/invite-code/generate", json={}).json()["invite_code"]
    co_name = co_parent.sign_up()
    assert co_parent.api("POST", "/families/join", json={"invite_code": code}).status_code == 200
    loner.sign_up()
    code = owner.api("POST", "/families/invite-code/generate", json={}).json()["invite_code"]
    family_id = owner.api("GET", "/families/context").json()["family"]["id"]
    return World(
        owner,
        co_parent,
        child,
        loner,
        family_id,
        kid,
        user_id(app, co_name),
        chores["Dishes"],
        chores["Bins"],
        done.json()["assignment"]["id"],
        code,
    )


def _today() -> date:
    return datetime.now(UTC).date()  # the family's zone: UTC, the default


def _made(world: World, name: str, value: object) -> None:
    world.made[name] = value


def _token(w: World) -> None:
    made = w.owner.api("POST", "/tokens", json={"name": "Lights", "scopes": ["read"]})
    assert made.status_code == 201, made.text
    _made(w, "token_id", made.json()["id"])


def _action_link(w: World) -> None:
    links = re.findall(r'href="(/act/[^"]+)">Approve<', w.owner.get("/notifications").text)
    assert links, "the waiting chore's notification carries an approve link"
    _made(w, "link", links[0])


def _bonus_entry(w: World) -> None:
    entries = w.owner.api("GET", f"/ledger/child/{w.child_id}").json()
    _made(w, "entry_id", next(e["id"] for e in entries if e["kind"] == "adjustment"))


def _notification(w: World) -> None:
    _made(w, "notification_id", w.owner.api("GET", "/notifications").json()["notifications"][0]["id"])


def _occurrence(w: World) -> None:
    made = w.owner.api(
        "POST",
        "/chores",
        json={"title": "Trash", "reward": "1", "assignee_ids": [w.child_id],
              "schedule": {"kind": "daily", "due_time": "23:59"}},
    )  # fmt: skip
    assert made.status_code == 201, made.text
    upcoming = w.owner.api(
        "GET", "/occurrences", params={"date_from": str(_today()), "date_to": str(_today() + timedelta(3))}
    ).json()
    _made(w, "occurrence_id", next(o["id"] for o in upcoming if o["chore_id"] == made.json()["id"]))


def _pause(w: World) -> None:
    first = _today() + timedelta(days=7)
    made = w.owner.api("POST", f"/children/{w.child_id}/pauses", json={"first_day": str(first), "last_day": str(first)})
    assert made.status_code == 201, made.text
    _made(w, "pause_id", made.json()["id"])


def _in_a_week() -> str:
    return str(_today() + timedelta(days=7))


@dataclass(frozen=True)
class Case:
    path: str  # the route's template
    who: str
    url: Callable[[World], str]
    form: Callable[[World], dict] = lambda w: {}
    prepare: Callable[[World], object] | None = None


def _reward(w: World) -> int:
    made = w.owner.api("POST", "/rewards", json={"title": "Kite", "cost": "1.00", "stock": 3})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _claim(w: World) -> int:
    made = w.child.api("POST", f"/rewards/{_reward(w)}/claim")
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def _first(w: World, path: str) -> int:
    return int(w.owner.api("GET", path).json()[0]["id"])


CASES = [
    Case("/rewards/new", "owner", lambda w: "/rewards/new", lambda w: {"title": "Cinema", "cost": "5"}),
    Case("/rewards/{reward_id}/toggle", "owner", lambda w: f"/rewards/{_first(w, '/rewards')}/toggle", prepare=_reward),
    Case("/rewards/claims/{claim_id}/approve", "owner",
         lambda w: f"/rewards/claims/{_first(w, '/rewards/claims')}/approve", prepare=_claim),
    Case("/rewards/claims/{claim_id}/decline", "owner",
         lambda w: f"/rewards/claims/{_first(w, '/rewards/claims')}/decline", lambda w: {"reason": "rain"}, prepare=_claim),
    Case("/me/rewards/{reward_id}/claim", "child", lambda w: f"/me/rewards/{_first(w, '/rewards')}/claim", prepare=_reward),
    Case("/me/rewards/claims/{claim_id}/cancel", "child",
         lambda w: f"/me/rewards/claims/{_first(w, '/rewards/claims')}/cancel", prepare=_claim),
    Case("/me/goals", "child", lambda w: "/me/goals", lambda w: {"title": "Bike", "target": "9"}),
    Case("/children/{child_id}/allowance", "owner", lambda w: f"/children/{w.child_id}/allowance",
         lambda w: {"amount": "2", "period": "week", "weekday": "5", "at": "09:00"}),
    Case("/children/{child_id}/allowance/stop", "owner", lambda w: f"/children/{w.child_id}/allowance/stop",
         prepare=lambda w: w.owner.api("PUT", f"/allowances/{w.child_id}", json={"amount": 1, "period": "month", "day_of_month": 1})),
    Case("/children/{child_id}/goals", "owner", lambda w: f"/children/{w.child_id}/goals",
         lambda w: {"title": "Bike", "target": "40"}),
    Case("/logout", "child", lambda w: "/logout"),
    Case("/account/password", "owner", lambda w: "/account/password",
         lambda w: {"current_password": PASSWORD, "new_password": "another-long-one"}),
    Case("/chores/new", "owner", lambda w: "/chores/new",
         lambda w: {"title": "Garden", "reward_kind": "fixed", "reward": "2", "assignment_mode": "single",
                    "single_assignee": str(w.child_id)}),
    Case("/chores/{chore_id}/edit", "owner", lambda w: f"/chores/{w.chore_id}/edit",
         lambda w: {"title": "Dishes, all of them", "reward_kind": "fixed", "reward": "2",
                    "assignment_mode": "single", "single_assignee": str(w.child_id)}),
    Case("/chores/{chore_id}/disable", "owner", lambda w: f"/chores/{w.chore_id}/disable"),
    Case("/chores/{chore_id}/enable", "owner", lambda w: f"/chores/{w.chore_id}/enable",
         prepare=lambda w: w.owner.api("POST", f"/chores/{w.chore_id}/disable")),
    Case("/chores/{chore_id}/delete", "owner", lambda w: f"/chores/{w.chore_id}/delete"),
    Case("/approvals/{assignment_id}/approve", "owner", lambda w: f"/approvals/{w.slot_id}/approve"),
    Case("/approvals/{assignment_id}/reject", "owner", lambda w: f"/approvals/{w.slot_id}/reject",
         lambda w: {"rejection_reason": "Not yet"}),
    Case("/chores/{chore_id}/complete", "child", lambda w: f"/chores/{w.chore_id}/complete"),
    Case("/family/create", "loner", lambda w: "/family/create", lambda w: {"name": "Another"}),
    Case("/family/join", "loner", lambda w: "/family/join", lambda w: {"invite_code": w.invite_code}),
    Case("/family/invite-code", "owner", lambda w: "/family/invite-code", lambda w: {"max_uses": "2"}),
    Case("/family/timezone", "owner", lambda w: "/family/timezone", lambda w: {"timezone": "Europe/Lisbon"}),
    Case("/family/currency", "owner", lambda w: "/family/currency", lambda w: {"currency": "JPY"}),
    Case("/family/language", "owner", lambda w: "/family/language", lambda w: {"language": "es"}),
    Case("/family/owner", "owner", lambda w: "/family/owner", lambda w: {"user_id": str(w.co_parent_id)}),
    Case("/family/children", "owner", lambda w: "/family/children",
         lambda w: {"username": "newkid9", "password": PASSWORD}),
    Case("/family/children/{child_id}/password", "owner", lambda w: f"/family/children/{w.child_id}/password",
         lambda w: {"password": "a-brand-new-one"}),
    Case("/children/{child_id}/adjustments", "owner", lambda w: f"/children/{w.child_id}/adjustments",
         lambda w: {"kind": "bonus", "amount": "2", "reason": "Kind"}),
    Case("/children/{child_id}/payouts", "owner", lambda w: f"/children/{w.child_id}/payouts",
         lambda w: {"amount": "1", "note": ""}),
    Case("/chores/{chore_id}/take-back", "child", lambda w: f"/chores/{w.waiting_id}/take-back"),
    Case("/family/children/{child_id}/deactivate", "owner",
         lambda w: f"/family/children/{w.child_id}/deactivate"),
    Case("/family/children/{child_id}/reactivate", "owner", lambda w: f"/family/children/{w.child_id}/reactivate",
         prepare=lambda w: w.owner.api("POST", f"/users/children/{w.child_id}/deactivate")),
    Case("/family/children/{child_id}/remove", "owner", lambda w: f"/family/children/{w.child_id}/remove"),
    Case("/family/children/{child_id}/profile", "owner", lambda w: f"/family/children/{w.child_id}/profile",
         lambda w: {"display_name": "Sam", "avatar": ""}),
    Case("/account/tokens", "owner", lambda w: "/account/tokens", lambda w: {"name": "Lights", "scopes": "read"}),
    Case("/account/tokens/{token_id}/revoke", "owner", lambda w: f"/account/tokens/{w.made['token_id']}/revoke",
         prepare=_token),
    Case("/act/{token}", "co_parent", lambda w: str(w.made["link"]), prepare=_action_link),
    Case("/approvals/approve-many", "owner", lambda w: "/approvals/approve-many",
         lambda w: {"which": "all", "shown_ids": str(w.slot_id)}),
    Case("/children/{child_id}/entries/{entry_id}/reverse", "owner",
         lambda w: f"/children/{w.child_id}/entries/{w.made['entry_id']}/reverse", prepare=_bonus_entry),
    Case("/notifications/read-all", "owner", lambda w: "/notifications/read-all"),
    Case("/notifications/push", "child", lambda w: "/notifications/push", lambda w: dict(PUSH_FORM)),
    Case("/notifications/{notification_id}/read", "owner",
         lambda w: f"/notifications/{w.made['notification_id']}/read", prepare=_notification),
    Case("/week/occurrences/{occurrence_id}/skip", "owner",
         lambda w: f"/week/occurrences/{w.made['occurrence_id']}/skip", prepare=_occurrence),
    Case("/week/occurrences/{occurrence_id}/snooze", "owner",
         lambda w: f"/week/occurrences/{w.made['occurrence_id']}/snooze", lambda w: {"days": "1"},
         prepare=_occurrence),
    Case("/week/pauses", "owner", lambda w: "/week/pauses",
         lambda w: {"child_id": str(w.child_id), "first_day": _in_a_week(), "last_day": _in_a_week()}),
    Case("/week/children/{child_id}/pauses/{pause_id}/delete", "owner",
         lambda w: f"/week/children/{w.child_id}/pauses/{w.made['pause_id']}/delete", prepare=_pause),
    Case("/family/children/{child_id}/pin", "owner", lambda w: f"/family/children/{w.child_id}/pin",
         lambda w: {"pin": "2468"}),
    Case("/family/children/{child_id}/pin/clear", "owner", lambda w: f"/family/children/{w.child_id}/pin/clear",
         prepare=lambda w: w.owner.api("PUT", f"/users/children/{w.child_id}/pin", json={"pin": "2468"})),
    Case("/family/streak-bonus", "owner", lambda w: "/family/streak-bonus",
         lambda w: {"percent": "10", "step_days": "7", "cap_percent": "50"}),
    Case("/family/devices", "owner", lambda w: "/family/devices", lambda w: {"name": "Kitchen tablet"}),
    Case("/family/devices/{device_id}/revoke", "owner", lambda w: f"/family/devices/{w.device_id}/revoke",
         prepare=lambda w: setattr(w, "device_id", _device(w))),
]  # fmt: skip


def _device(w: World) -> int:
    made = w.owner.api("POST", "/families/devices", json={"name": "Hall computer"})
    assert made.status_code == 201, made.text
    return int(made.json()["id"])


def revision_of(app, family_id: int) -> int:
    with app.state.engine.connect() as connection:
        return int(connection.execute(select(FAMILIES.c.revision).where(FAMILIES.c.id == family_id)).scalar_one())


def test_every_form_post_is_checked_below(app):
    posts = {path for method, path in routes(app) if method == "POST" and not path.startswith("/api/")}
    assert posts - NO_FAMILY == {case.path for case in CASES}


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.path)
def test_every_form_post_that_writes_bumps_its_familys_revision(app, visitor, case: Case):
    world = build(app, visitor)
    if case.prepare is not None:
        case.prepare(world)
    who: Visitor = getattr(world, case.who)
    who.get("/family/setup" if case.who == "loner" else "/")  # a page with the form's CSRF token
    before = revision_of(app, world.family_id)
    answer = who.submit(case.url(world), case.form(world))
    assert answer.status_code < 400 and not (who.flash() or "").lower().startswith(("could not", "error")), answer.text
    if case.path == "/family/create":  # a family of its own: made at revision 1, not 0
        family_id = who.api("GET", "/families/context").json()["family"]["id"]
        assert revision_of(app, family_id) > 0
        return
    assert revision_of(app, world.family_id) > before, f"{case.path} did not bump the family's revision"
