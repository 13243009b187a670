"""Who may call what: every endpoint x {anonymous, child, parent, owner, parent of another family}.

The family has an owner (its creator), a second parent and a third (the one parents try to remove
or hand the family to). No token answers 401; a role that may not act, 403; another family's
object, 404. A call that succeeds for a parent of another family (its own lists) must not show
anything of this family. docs/families.md says the same for the family's own calls, in one table.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.api import PASSWORD, Api, Person, unique
from tests.support.family import chore, complete
from tests.support.routes import routes

SECRET = "matrixsecret"
# A browser's push subscription keys (a P-256 point and a 16-byte secret, base64url).
PUSH_KEYS = {
    "p256dh": "BPNmBsL8s9CYOdzxVXvR00NB6c_sLBxZI1Wc_LQsHM_jidJT444cqEioAdladSbmdgoUe2RIyP9p8mvbgA1Vn7Y",
    "auth": "c2l4dGVlbi1ieXRlcy0xMg",
}  # in every name of the family under test, so a leak is easy to see


@dataclass
class World:
    owner: Person
    parent: Person
    co_parent: Person
    child: Person
    stranger: Person
    chore_id: int
    pending_chore_id: int
    pending_assignment_id: int
    activity_id: int
    invite_code: str
    occurrence_id: int
    pause_id: int
    feed_id: int
    feed_token: str
    notification_id: int  # the child's (the bonus)
    channel_id: int  # the child's
    delivery_id: int  # to the child's channel, a dead letter
    bonus_id: int
    token_id: int  # the child's personal access token
    reward_id: int  # a reward of the family's catalogue (cost 1)
    claim_id: int  # the child's claim on it, waiting for review
    goal_id: int  # the child's savings goal
    device_id: int  # a family device the owner made
    webhook_id: int  # the family's (made by the owner; a public address: the guard is on)


def build_world(api: Api) -> World:
    owner = api.parent(family_name=f"{SECRET} family")
    parent = api.second_parent(owner)
    co_parent = api.second_parent(owner)
    child = api.child(owner, unique(f"{SECRET}kid"))
    stranger = api.parent(family_name="Strangers")
    todo = chore(api, owner, title=f"{SECRET} todo", assignee_ids=[child.id])
    pending = chore(api, owner, title=f"{SECRET} pending", assignee_ids=[child.id])
    assignment = complete(api, child, pending["id"])
    bonus = api.post("/adjustments/", owner, json={"child_id": child.id, "amount": 5, "reason": f"{SECRET} bonus"})
    assert bonus.status_code == 201, bonus.text
    chore(api, owner, title=f"{SECRET} daily", assignee_ids=[child.id], schedule={"kind": "daily", "due_time": "23:59"})
    occurrence_id = api.get("/occurrences", owner).json()[0]["id"]
    pause = api.post(f"/children/{child.id}/pauses", owner, json={"first_day": "2030-01-01", "last_day": "2030-01-02"})
    assert pause.status_code == 201, pause.text
    calendar_feed = api.post("/calendar/feeds", owner, json={"child_id": child.id})
    assert calendar_feed.status_code == 201, calendar_feed.text
    feed = api.get("/activities/recent", child).json()["activities"]
    activity_id = next(a["id"] for a in feed if a["activity_type"] == "chore_completed")
    told = api.get("/notifications", child).json()["notifications"]
    notification_id = next(n["id"] for n in told if n["event"] == "adjustment_applied")
    channel = api.post(
        "/notifications/channels", child, json={"name": f"{SECRET} phone", "url": "json://127.0.0.1:9/x"}
    )
    assert channel.status_code == 201, channel.text
    delivery_id = dead_letter(api)
    token = api.post("/tokens", child, json={"name": f"{SECRET} script", "scopes": ["read"]})
    assert token.status_code == 201, token.text
    reward = api.post("/rewards", owner, json={"title": f"{SECRET} cinema", "cost": 1})
    assert reward.status_code == 201, reward.text
    claimed = api.post(f"/rewards/{reward.json()['id']}/claim", child)
    assert claimed.status_code == 201, claimed.text
    goal = api.post("/goals", child, json={"title": f"{SECRET} bike", "target": 50})
    assert goal.status_code == 201, goal.text
    weekly = api.put(f"/allowances/{child.id}", owner, json={"amount": 2, "period": "week", "weekday": 5})
    assert weekly.status_code == 200, weekly.text
    device = api.post("/families/devices", owner, json={"name": f"{SECRET} tablet"})
    assert device.status_code == 201, device.text
    api.client.cookies.clear()  # the answer set the device cookie on the shared test client
    webhook = api.post("/webhooks", owner, json={"url": "https://93.184.215.14/matrix"})
    assert webhook.status_code == 201, webhook.text
    return World(
        owner,
        parent,
        co_parent,
        child,
        stranger,
        todo["id"],
        pending["id"],
        assignment["id"],
        activity_id,
        api.invite_code(owner),
        occurrence_id,
        pause.json()["id"],
        calendar_feed.json()["id"],
        calendar_feed.json()["token"],
        notification_id,
        channel.json()["id"],
        delivery_id,
        bonus.json()["id"],
        token.json()["id"],
        reward.json()["id"],
        claimed.json()["id"],
        goal.json()["id"],
        device.json()["id"],
        webhook.json()["id"],
    )


def dead_letter(api: Api) -> int:
    """The worker's fan-out of what is waiting, and one of the deliveries made a dead letter."""
    from sqlalchemy import select, update

    from chores_tracker.notifications.delivery import fan_out
    from chores_tracker.notifications.models import NotificationDelivery

    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        fan_out(session)
    with factory() as session:
        newest = session.scalar(select(NotificationDelivery.id).order_by(NotificationDelivery.id.desc()).limit(1))
        session.execute(update(NotificationDelivery).where(NotificationDelivery.id == newest).values(state="dead"))
        session.commit()
        return newest


@dataclass(frozen=True)
class Case:
    """The answer each caller gets; `owner` is the parent's unless the owner is answered otherwise."""

    method: str
    path: str
    anonymous: int
    child: int
    parent: int
    stranger: int
    body: Callable[[World], dict | str] | None = None
    params: dict | None = None
    owner: int | None = None

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (f"?{'&'.join(self.params)}" if self.params else "")

    def expected(self, role: str) -> int:
        if role == "owner" and self.owner is not None:
            return self.owner
        return getattr(self, "parent" if role == "owner" else role)


ROLES = ("anonymous", "stranger", "child", "parent", "owner")


def new_child(_w: World) -> dict:
    return {"username": unique("newkid"), "password": "correct-horse-battery", "is_parent": False}


CASES = [
    # identity
    Case("GET", "/users/me", 401, 200, 200, 200),
    Case("POST", "/users/", 401, 403, 201, 201, body=new_child),
    Case("POST", "/users/children/{child}/reset-password", 401, 403, 200, 404, body=lambda w: "another-good-password"),
    Case("GET", "/users/me/balance", 401, 200, 403, 403),
    Case("GET", "/users/my-children", 401, 403, 200, 200),
    Case("GET", "/users/my-family-children", 401, 403, 200, 200),
    Case("GET", "/users/allowance-summary", 401, 403, 200, 200),
    Case("POST", "/users/logout", 401, 204, 204, 204),
    # Each member its own password (the stranger too); a new token in the answer.
    Case(
        "POST",
        "/users/me/password",
        401,
        200,
        200,
        200,
        body=lambda w: {"current_password": PASSWORD, "new_password": "another-good-password"},
    ),
    # The stranger changes its own name.
    Case("PATCH", "/users/me", 401, 200, 200, 200, body=lambda w: {"display_name": "Sunny", "avatar": "🦊"}),
    Case("PATCH", "/users/children/{child}", 401, 403, 200, 404, body=lambda w: {"display_name": "Sunny"}),
    Case("POST", "/users/children/{child}/deactivate", 401, 403, 200, 404),
    Case("POST", "/users/children/{child}/reactivate", 401, 403, 200, 404),
    Case("PUT", "/users/children/{child}/pin", 401, 403, 204, 404, body=lambda w: {"pin": "2468"}),
    Case("DELETE", "/users/children/{child}/pin", 401, 403, 204, 404),
    # personal access tokens: each member's own (the one revoked is the child's)
    Case("GET", "/tokens", 401, 200, 200, 200),
    Case("POST", "/tokens", 401, 201, 201, 201, body=lambda w: {"name": "Home Assistant", "scopes": ["read"]}),
    Case("DELETE", "/tokens/{token}", 401, 204, 404, 404),
    # families
    Case("GET", "/families/context", 401, 200, 200, 200),
    Case("POST", "/families/create", 401, 403, 409, 409, body=lambda w: {"name": "Another"}),
    Case("POST", "/families/join", 401, 403, 409, 409, body=lambda w: {"invite_code": w.invite_code}),
    Case("GET", "/families/members", 401, 200, 200, 200),
    Case("GET", "/families/stats", 401, 200, 200, 200),
    Case("POST", "/families/invite-code/generate", 401, 403, 200, 200, body=lambda w: {}),
    Case("DELETE", "/families/members/{child}", 401, 403, 204, 404),
    Case("DELETE", "/families/members/{co_parent}", 401, 403, 403, 404, owner=204),
    Case("DELETE", "/families/members/{owner}", 401, 403, 403, 404, owner=409),
    Case("POST", "/families/owner", 401, 403, 403, 404, body=lambda w: {"user_id": w.co_parent.id}, owner=200),
    # The stranger reads and sets its own family's streak bonus.
    Case("GET", "/families/streak-bonus", 401, 200, 200, 200),
    Case("PUT", "/families/streak-bonus", 401, 403, 200, 200, body=lambda w: {"percent": 10}),
    # family devices: the stranger lists and makes its own family's
    Case("GET", "/families/devices", 401, 403, 200, 200),
    Case("POST", "/families/devices", 401, 403, 201, 201, body=lambda w: {"name": "Hall computer"}),
    Case("DELETE", "/families/devices/{device}", 401, 403, 204, 404),
    # The stranger sets its own family's zone.
    Case("PUT", "/families/timezone", 401, 403, 200, 200, body=lambda w: {"timezone": "America/Chicago"}),
    # Only the owner chooses the currency; the stranger owns its own family.
    Case("PUT", "/families/currency", 401, 403, 403, 200, body=lambda w: {"currency": "EUR"}, owner=200),
    # Only the owner chooses the pages' language; the stranger owns its own family.
    Case("PUT", "/families/language", 401, 403, 403, 200, body=lambda w: {"language": "es"}, owner=200),
    # chores
    Case(
        "POST",
        "/chores",
        401,
        403,
        201,
        201,
        body=lambda w: {"title": "Pool", "reward": 1, "assignment_mode": "unassigned"},
    ),
    Case("GET", "/chores", 401, 200, 200, 200),
    Case("GET", "/chores/available", 401, 200, 403, 403),
    Case("GET", "/chores/pending-approval", 401, 403, 200, 200),
    Case("GET", "/chores/child/{child}", 401, 403, 200, 404),
    Case("GET", "/chores/child/{child}/completed", 401, 403, 200, 404),
    Case("GET", "/chores/{chore}", 401, 200, 200, 404),
    Case("PUT", "/chores/{chore}", 401, 403, 200, 404, body=lambda w: {"description": "new words"}),
    Case("DELETE", "/chores/{chore}", 401, 403, 204, 404),
    Case("POST", "/chores/{chore}/complete", 401, 200, 403, 403),
    Case("POST", "/chores/{pending_chore}/take-back", 401, 200, 403, 403),
    Case("POST", "/chores/{chore}/disable", 401, 403, 200, 404),
    Case("POST", "/chores/{chore}/enable", 401, 403, 200, 404),
    Case("POST", "/chores/{pending_chore}/approve", 401, 403, 200, 404, body=lambda w: {}),
    Case("POST", "/chores/{pending_chore}/reject", 401, 403, 200, 404, body=lambda w: {"rejection_reason": "again"}),
    Case("POST", "/assignments/{assignment}/approve", 401, 403, 200, 404, body=lambda w: {}),
    Case("POST", "/assignments/{assignment}/reject", 401, 403, 200, 404, body=lambda w: {"rejection_reason": "again"}),
    # The stranger approves its own family's (none); never this family's.
    Case("POST", "/assignments/approve-many", 401, 403, 200, 200, body=lambda w: {}),
    # schedules
    Case("GET", "/occurrences", 401, 200, 200, 200),
    Case("GET", "/occurrences", 401, 200, 200, 404, params={"child_id": "{child}"}),
    Case("POST", "/occurrences/{occurrence}/skip", 401, 403, 200, 404),
    Case("POST", "/occurrences/{occurrence}/snooze", 401, 403, 200, 404, body=lambda w: {"days": 1}),
    Case(
        "POST",
        "/children/{child}/pauses",
        401,
        403,
        201,
        404,
        body=lambda w: {"first_day": "2031-02-01", "last_day": "2031-02-03"},
    ),
    Case("GET", "/children/{child}/pauses", 401, 403, 200, 404),
    # streaks and badges
    Case("GET", "/children/{child}/streaks", 401, 403, 200, 404),
    Case("GET", "/users/me/streaks", 401, 200, 403, 403),
    Case("DELETE", "/children/{child}/pauses/{pause}", 401, 403, 204, 404),
    # The stranger makes and lists its own family's feeds.
    Case("POST", "/calendar/feeds", 401, 403, 201, 201, body=lambda w: {}),
    Case("POST", "/calendar/feeds", 401, 403, 201, 404, body=lambda w: {"child_id": w.child.id}),
    Case("GET", "/calendar/feeds", 401, 403, 200, 200),
    Case("DELETE", "/calendar/feeds/{feed}", 401, 403, 204, 404),
    # ledger
    Case(
        "POST",
        "/adjustments/",
        401,
        403,
        201,
        404,
        body=lambda w: {"child_id": w.child.id, "amount": "1.00", "reason": "r"},
    ),
    Case("GET", "/adjustments/child/{child}", 401, 403, 200, 404),
    Case("GET", "/adjustments/total/{child}", 401, 403, 200, 404),
    Case("POST", "/payouts/", 401, 403, 201, 404, body=lambda w: {"child_id": w.child.id, "amount": "1.00"}),
    Case("GET", "/payouts/child/{child}", 401, 403, 200, 404),
    Case("GET", "/ledger/child/{child}", 401, 403, 200, 404),
    Case("POST", "/ledger/entries/{bonus}/reverse", 401, 403, 201, 404, body=lambda w: {"reason": "oops"}),
    # rewards (the stranger keeps its own family's catalogue)
    Case("GET", "/rewards", 401, 200, 200, 200),
    Case("POST", "/rewards", 401, 403, 201, 201, body=lambda w: {"title": "Park", "cost": "2.50"}),
    Case("PUT", "/rewards/{reward}", 401, 403, 200, 404, body=lambda w: {"stock": 4}),
    Case("GET", "/rewards/money", 401, 200, 403, 403),
    Case("GET", "/rewards/claims", 401, 200, 200, 200),
    Case("POST", "/rewards/{reward}/claim", 401, 201, 403, 403),
    Case("POST", "/rewards/claims/{claim}/approve", 401, 403, 200, 404),
    Case("POST", "/rewards/claims/{claim}/decline", 401, 403, 200, 404, body=lambda w: {"reason": "not today"}),
    Case("POST", "/rewards/claims/{claim}/cancel", 401, 200, 403, 403),
    # savings goals (a child its own; a parent the family's children's) and allowances
    Case("GET", "/goals", 401, 200, 200, 200),
    Case("POST", "/goals", 401, 201, 201, 404, body=lambda w: {"title": "Kite", "target": 5, "child_id": w.child.id}),
    Case("DELETE", "/goals/{goal}", 401, 204, 204, 404),
    Case("GET", "/allowances", 401, 403, 200, 200),
    Case(
        "PUT",
        "/allowances/{child}",
        401,
        403,
        200,
        404,
        body=lambda w: {"amount": "3.00", "period": "month", "day_of_month": 31, "at": "07:00"},
    ),
    Case("DELETE", "/allowances/{child}", 401, 403, 204, 404),
    # activity
    Case("GET", "/activities/recent", 401, 200, 200, 200),
    Case("GET", "/activities/summary", 401, 200, 200, 200),
    Case("GET", "/activities/types", 401, 200, 200, 200),
    Case("GET", "/activities/{activity}", 401, 200, 200, 404),
    # notifications: each member's own (the one marked read is the child's)
    Case("GET", "/notifications", 401, 200, 200, 200),
    Case("GET", "/notifications/unread-count", 401, 200, 200, 200),
    Case("POST", "/notifications/read-all", 401, 200, 200, 200),
    Case("POST", "/notifications/{notification}/read", 401, 200, 404, 404),
    Case("GET", "/notifications/events", 401, 200, 200, 200),
    Case("GET", "/notifications/preferences", 401, 200, 200, 200),
    Case(
        "PUT",
        "/notifications/preferences",
        401,
        200,
        200,
        200,
        body=lambda w: {"quiet_start": "21:30", "quiet_end": "07:00"},
    ),
    Case("GET", "/notifications/digest", 401, 200, 200, 200),
    Case("PUT", "/notifications/digest", 401, 200, 200, 200, body=lambda w: {"digest_hour": 18}),
    Case("GET", "/notifications/channels", 401, 200, 200, 200),
    Case(
        "POST",
        "/notifications/channels",
        401,
        201,
        201,
        201,
        body=lambda w: {"name": "hook", "url": "json://127.0.0.1:9/y", "events": ["chore_completed"]},
    ),
    Case("DELETE", "/notifications/channels/{channel}", 401, 204, 404, 404),
    Case("GET", "/notifications/push-key", 401, 200, 200, 200),
    Case(
        "POST",
        "/notifications/push-subscriptions",
        401,
        201,
        201,
        201,
        body=lambda w: {"endpoint": "https://push.example.com/send/x", "keys": PUSH_KEYS},
    ),
    Case("GET", "/notifications/deliveries", 401, 403, 200, 200),
    Case("POST", "/notifications/deliveries/{delivery}/retry", 401, 403, 204, 404),
    # webhooks: the family's, parents only (the stranger lists and makes its own family's)
    Case("GET", "/webhooks", 401, 403, 200, 200),
    Case("POST", "/webhooks", 401, 403, 201, 201, body=lambda w: {"url": "https://93.184.215.14/hook"}),
    Case("GET", "/webhooks/{webhook}", 401, 403, 200, 404),
    Case("PATCH", "/webhooks/{webhook}", 401, 403, 200, 404, body=lambda w: {"enabled": False}),
    Case("DELETE", "/webhooks/{webhook}", 401, 403, 204, 404),
    Case("GET", "/webhooks/{webhook}/deliveries", 401, 403, 200, 404),
    # reports
    Case("GET", "/reports/allowance-summary", 401, 403, 200, 200),
    Case("GET", "/reports/allowance-summary", 401, 403, 200, 404, params={"child_id": "{child}"}),
    Case("GET", "/reports/export/allowance-summary", 401, 403, 200, 200, params={"format": "csv"}),
    Case("GET", "/reports/reward-history/{child}", 401, 403, 200, 404),
    Case("GET", "/statistics/weekly-summary", 401, 403, 200, 200),
    Case("GET", "/statistics/weekly-summary", 401, 403, 200, 404, params={"child_id": "{child}"}),
    Case("GET", "/statistics/monthly-summary", 401, 403, 200, 200),
]


def _fill(text: str, w: World) -> str:
    return text.format(
        child=w.child.id,
        owner=w.owner.id,
        co_parent=w.co_parent.id,
        chore=w.chore_id,
        pending_chore=w.pending_chore_id,
        assignment=w.pending_assignment_id,
        activity=w.activity_id,
        occurrence=w.occurrence_id,
        pause=w.pause_id,
        feed=w.feed_id,
        notification=w.notification_id,
        channel=w.channel_id,
        delivery=w.delivery_id,
        bonus=w.bonus_id,
        token=w.token_id,
        reward=w.reward_id,
        claim=w.claim_id,
        goal=w.goal_id,
        device=w.device_id,
        webhook=w.webhook_id,
    )


def test_every_api_route_is_in_the_matrix(app):
    api_routes = {(method, path.removeprefix("/api/v1")) for method, path in routes(app) if path.startswith("/api/v1/")}
    public = {("POST", "/users/register"), ("POST", "/users/login"), ("GET", "/health/ready")}
    # A calendar feed's URL is its own key (tests/chores/test_calendar.py): whoever holds it reads it.
    public.add(("GET", "/calendar/{token}.ics"))
    # A family device's token is its key (tests/identity/test_devices.py): its children, a PIN sign-in.
    public |= {("GET", "/families/devices/current/children"), ("POST", "/families/devices/current/sign-in")}
    placeholders = {
        "{child}": "{child_id}",
        "{chore}": "{chore_id}",
        "{pending_chore}": "{chore_id}",
        "{assignment}": "{assignment_id}",
        "{activity}": "{activity_id}",
        "{occurrence}": "{occurrence_id}",
        "{pause}": "{pause_id}",
        "{feed}": "{feed_id}",
        "{notification}": "{notification_id}",
        "{channel}": "{channel_id}",
        "{delivery}": "{delivery_id}",
        "{bonus}": "{entry_id}",
        "{token}": "{token_id}",
        "{reward}": "{reward_id}",
        "{claim}": "{claim_id}",
        "{goal}": "{goal_id}",
        "{device}": "{device_id}",
        "{webhook}": "{webhook_id}",
    }

    def template(path: str) -> str:
        for ours, theirs in placeholders.items():
            path = path.replace(ours, theirs)
        return path.replace("/families/members/{child_id}", "/families/members/{user_id}")

    covered = {(case.method, template(case.path)) for case in CASES}
    assert api_routes - public - covered == set()


def _call(api: Api, world: World, case: Case, role: str) -> None:
    who: Person | None = getattr(world, role) if role != "anonymous" else None
    expected = case.expected(role)
    kwargs: dict = {"params": {k: _fill(v, world) for k, v in (case.params or {}).items()}}
    if case.body is not None:
        kwargs["json"] = case.body(world)
    path = _fill(case.path, world)
    response = api.client.request(case.method, f"/api/v1{path}", headers=who.headers if who else None, **kwargs)
    assert response.status_code == expected, f"{case.id} as {role}: {response.status_code} {response.text}"
    if role == "stranger" and expected < 300:
        assert SECRET not in response.text, f"{case.id}: another family's data leaked: {response.text}"


READS = [case for case in CASES if case.method == "GET"]
CHANGES = [case for case in CASES if case.method != "GET"]


def test_authorization_of_reads(api):
    """Reads change nothing, so they share one family."""
    world = build_world(api)
    for case in READS:
        for role in ROLES:
            _call(api, world, case, role)


@pytest.mark.parametrize("case", CHANGES, ids=lambda case: case.id)
def test_authorization_of_changes(api, case: Case):
    """Refusals (and the stranger, who changes only its own family) first; then the members the change
    succeeds for, each after the first on a family of its own, so that one change cannot hide
    another's answer (a chore the owner deleted is not there for the parent to delete)."""
    world = build_world(api)
    members = [role for role in ("child", "parent", "owner") if case.expected(role) < 300]
    for role in ROLES:
        if role not in members:
            _call(api, world, case, role)
    for n, role in enumerate(members):
        _call(api, world if n == 0 else build_world(api), case, role)


# -- docs/families.md says the same, in one table -------------------------------------------------

FAMILIES_DOC = Path(__file__).resolve().parents[1] / "docs" / "families.md"
DOC_ROLES = ("owner", "parent", "child")
# The docs name path parameters as the API does; the matrix names the family's members.
DOC_PLACEHOLDERS = {
    "{child_id}": "{child}",
    "{parent_id}": "{co_parent}",
    "{owner_id}": "{owner}",
    "{chore_id}": "{chore}",
    "{assignment_id}": "{assignment}",
    "{occurrence_id}": "{occurrence}",
    "{pause_id}": "{pause}",
    "{feed_id}": "{feed}",
    "{entry_id}": "{bonus}",
    "{device_id}": "{device}",
    "{webhook_id}": "{webhook}",
    "{pending_chore_id}": "{pending_chore}",  # a chore the child has done, waiting for review
    "{reward_id}": "{reward}",
    "{claim_id}": "{claim}",
    "{goal_id}": "{goal}",
}
_CALL = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`]*)`(?: → `(\w+)`)?")


@dataclass(frozen=True)
class DocRow:
    what: str
    calls: list[tuple[str, str, str | None]]  # method, path as the matrix names it, the field it is about
    allowed: dict[str, bool]


def doc_rows() -> list[DocRow]:
    lines = FAMILIES_DOC.read_text(encoding="utf-8").splitlines()
    tables = [
        n for n, line in enumerate(lines) if line.startswith("|") and (n == 0 or not lines[n - 1].startswith("|"))
    ]
    assert len(tables) == 1, "docs/families.md says who may do what in one table"
    header = [cell.strip() for cell in lines[tables[0]].strip("|").split("|")]
    assert header == ["what", "calls", *DOC_ROLES], header
    rows = []
    for line in lines[tables[0] + 2 :]:
        if not line.startswith("|"):
            break
        what, calls, *answers = [cell.strip() for cell in line.strip("|").split("|")]
        found = []
        for method, path, field in _CALL.findall(calls):
            for theirs, ours in DOC_PLACEHOLDERS.items():
                path = path.replace(theirs, ours)
            found.append((method, path, field or None))
        assert found, f"{what}: no call named"
        assert all(answer.split()[0] in ("yes", "no") for answer in answers), f"{what}: say yes or no"
        rows.append(
            DocRow(
                what, found, {role: answer.startswith("yes") for role, answer in zip(DOC_ROLES, answers, strict=True)}
            )
        )
    return rows


DOC_ROWS = doc_rows()


def test_the_families_doc_table_agrees_with_the_matrix():
    documented = set()
    for row in DOC_ROWS:
        for method, path, field in row.calls:
            if field:
                continue  # what a call shows: the next test
            cases = [case for case in CASES if (case.method, case.path) == (method, path)]
            assert cases, f"{row.what}: {method} {path} is not in the matrix"
            documented.add((method, path))
            for case in cases:
                for role in DOC_ROLES:
                    assert (case.expected(role) < 300) == row.allowed[role], (
                        f"docs/families.md says {role} {'may' if row.allowed[role] else 'may not'} {row.what} "
                        f"({method} {path}); the matrix answers {case.expected(role)}"
                    )
    family_calls = {(c.method, c.path) for c in CASES if c.path.startswith("/families/") or c.owner is not None}
    assert family_calls - documented == set(), (
        "every family call, and every call the owner alone may make, is in the table"
    )


def _field(value: object, name: str) -> object:
    if isinstance(value, dict):
        if name in value:
            return value[name]
        for item in value.values():
            found = _field(item, name)
            if found is not None:
                return found
    return None


def test_what_the_families_doc_says_each_role_sees(api):
    world = build_world(api)
    for row in DOC_ROWS:
        for method, path, field in row.calls:
            if not field:
                continue
            for role in DOC_ROLES:
                response = api.client.request(
                    method, f"/api/v1{_fill(path, world)}", headers=getattr(world, role).headers
                )
                assert response.status_code == 200, response.text
                shown = _field(response.json(), field)
                assert bool(shown) == row.allowed[role], f"{method} {path} as {role}: {field} = {shown!r}"
