"""The family revision (db.revisions) and the conditional reads built on it.

Every write bumps the revision of the family it touches, in its own transaction: the proof walks
the route table (through the authorization matrix, which test_every_api_route_is_in_the_matrix
holds to it), so a new mutating route is checked the day it is added. The three main reads carry an
ETag made of it, and answer If-None-Match with 304, no body, after one lookup by primary key.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from chores_tracker.db.revisions import FAMILIES
from tests.support.api import Api, Person
from tests.support.family import approve, chore, complete, family
from tests.support.routes import routes
from tests.test_authorization_matrix import CHANGES, Case, World, _fill, build_world
from tests.test_statement_counts import counting_statements

MUTATING = {"POST", "PUT", "PATCH", "DELETE"}
# A new account (no family yet) and a log-in (a session row) change no family's answers.
# A PIN sign-in on a family device is a log-in too; its key is the device's token, not a bearer
# (tests/identity/test_devices.py).
CHANGES_NO_FAMILY = {
    ("POST", "/users/register"),
    ("POST", "/users/login"),
    ("POST", "/families/devices/current/sign-in"),
}
# Members of a family are refused these (409); a parent without one is not (below).
FOR_THE_FAMILYLESS = {("POST", "/families/create"), ("POST", "/families/join")}


def revision_of(app, family_id: int) -> int:
    with app.state.engine.connect() as connection:
        return int(connection.execute(select(FAMILIES.c.revision).where(FAMILIES.c.id == family_id)).scalar_one())


def get(api: Api, path: str, who: Person, params: dict | None = None, if_none_match: str | None = None):
    headers = {**who.headers, **({"If-None-Match": if_none_match} if if_none_match else {})}
    return api.client.get(f"/api/v1{path}", headers=headers, params=params)


def family_id_of(api: Api, who: Person) -> int:
    return int(api.get("/families/context", who).json()["family"]["id"])


def test_every_mutating_api_route_is_checked_below(app):
    mutating = {
        (method, path.removeprefix("/api/v1"))
        for method, path in routes(app)
        if path.startswith("/api/v1/") and method in MUTATING
    }

    # A route's {placeholder} and a matrix case's {placeholder} name the same thing differently
    # ({chore_id} and {pending_chore}): both read as "some id" here.
    def shape(path: str) -> str:
        return re.sub(r"\{[^}]+\}", "{}", path)

    matrix = {(case.method, shape(case.path)) for case in CHANGES}

    def checked(method: str, path: str) -> bool:
        return (method, shape(path)) in matrix

    unchecked = {route for route in mutating - CHANGES_NO_FAMILY if not checked(*route)}
    assert unchecked == set()


# What makes the call a change in the matrix's world (there, the chore to enable is not disabled:
# enabling it changes nothing, commits nothing and so bumps nothing, rightly).
PREPARE = {
    ("POST", "/chores/{chore}/enable"): lambda api, w: api.post(f"/chores/{w.chore_id}/disable", w.owner),
}


def _succeeding_role(case: Case) -> str | None:
    return next((role for role in ("child", "parent", "owner") if case.expected(role) < 300), None)


@pytest.mark.parametrize("case", [case for case in CHANGES if _succeeding_role(case)], ids=lambda case: case.id)
def test_every_mutating_route_bumps_its_familys_revision(api, app, case: Case):
    world: World = build_world(api)
    if (prepare := PREPARE.get((case.method, case.path))) is not None:
        assert prepare(api, world).status_code < 300
    family_id = family_id_of(api, world.owner)
    before = revision_of(app, family_id)
    who: Person = getattr(world, _succeeding_role(case))
    kwargs: dict = {"params": {k: _fill(v, world) for k, v in (case.params or {}).items()}}
    if case.body is not None:
        kwargs["json"] = case.body(world)
    answer = api.client.request(case.method, f"/api/v1{_fill(case.path, world)}", headers=who.headers, **kwargs)
    assert answer.status_code < 300, answer.text
    assert revision_of(app, family_id) > before, f"{case.id} did not bump the family's revision"


def test_creating_and_joining_a_family_bump_that_familys_revision(api, app):
    founder = api.parent(with_family=False)
    created = api.post("/families/create", founder, json={"name": "New"})
    assert created.status_code == 201
    family_id = family_id_of(api, founder)
    assert revision_of(app, family_id) > 0
    before = revision_of(app, family_id)
    joiner = api.parent(with_family=False)
    joined = api.post("/families/join", joiner, json={"invite_code": api.invite_code(founder)})
    assert joined.status_code == 200, joined.text
    assert revision_of(app, family_id) > before


def test_a_refused_change_does_not_bump(api, app):
    home = family(api, kids=1)
    family_id = family_id_of(api, home.parent)
    before = revision_of(app, family_id)
    assert api.post("/chores/2147483647/complete", home.kids[0]).status_code == 404
    assert api.get("/chores/available", home.kids[0]).status_code == 200
    assert revision_of(app, family_id) == before


# -- conditional reads ------------------------------------------------------------------------------

READS = [
    ("/chores/available", "kid", None),
    ("/chores/pending-approval", "parent", None),
    ("/chores/pending-approval", "parent", {"limit": "2"}),
    ("/reports/allowance-summary", "parent", None),
    ("/reports/allowance-summary", "parent", {"date_from": "2026-01-01"}),
]


@pytest.mark.parametrize(("path", "who", "params"), READS)
def test_a_main_read_answers_304_until_the_family_changes(api, app, path, who, params):
    home = family(api, kids=1)
    kid = home.kids[0]
    caller = kid if who == "kid" else home.parent
    done = chore(api, home.parent, title="Dishes", assignee_ids=[kid.id], is_recurring=True, cooldown_days=0)
    complete(api, kid, done["id"])
    chore(api, home.parent, title="Bins", assignee_ids=[kid.id])

    first = api.get(path, caller, params=params)
    assert first.status_code == 200
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "private, no-cache"

    again = get(api, path, caller, params, etag)
    assert (again.status_code, again.content, again.headers["etag"]) == (304, b"", etag)
    # Several tags, weak or strong: any that is still the answer will do.
    listed = get(api, path, caller, params, f'"x", W/{etag}')
    assert listed.status_code == 304

    # Another caller, other parameters, or a write to the family: the whole answer again.
    other = get(api, path, caller, {"skip": "0", **(params or {})}, etag)
    assert other.status_code == 200
    approve(api, home.parent, api.get("/chores/pending-approval", home.parent).json()[0]["assignment_id"])
    changed = get(api, path, caller, params, etag)
    assert changed.status_code == 200 and changed.headers["etag"] != etag
    assert changed.content == api.get(path, caller, params=params).content


def test_a_tag_whose_cooldown_has_ended_is_not_fresh(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    cooling = chore(api, home.parent, title="Laundry", assignee_ids=[kid.id], is_recurring=True, cooldown_days=2)
    approve(api, home.parent, complete(api, kid, cooling["id"])["id"])
    etag = api.get("/chores/available", kid).headers["etag"]
    revision, user, query, until = etag.strip('"').split("-")
    assert int(until) > 0  # the list changes by itself when the cooldown ends
    assert get(api, "/chores/available", kid, None, etag).status_code == 304
    ended = f'"{revision}-{user}-{query}-1"'
    assert get(api, "/chores/available", kid, None, ended).status_code == 200


def test_a_304_costs_one_lookup_by_primary_key(api, app):
    home = family(api, kids=1)
    kid = home.kids[0]
    etag = api.get("/chores/available", kid).headers["etag"]
    with counting_statements(app.state.engine) as seen:
        answer = get(api, "/chores/available", kid, None, etag)
    assert answer.status_code == 304
    assert len(seen) == 1 and "families" in seen[0], seen


def test_a_caller_without_a_family_gets_no_etag(api):
    loner = api.parent(with_family=False)
    answer = api.get("/chores/pending-approval", loner)
    assert answer.status_code == 200 and "etag" not in answer.headers


def test_a_rotation_tag_is_fresh_only_until_the_turn_passes_by_itself(api, app):
    """Whose turn it is changes at the open occurrence's missed_at, with no write: the chore list's
    tag says so, as it says when a cooldown ends."""
    from datetime import datetime

    home = family(api, kids=2)
    first = home.kids[0]
    chore(
        api,
        home.parent,
        assignment_mode="multi_independent",
        assignee_ids=[kid.id for kid in home.kids],
        schedule={"kind": "daily", "due_time": "18:00", "rotation": "round_robin"},
    )
    missed = [o["missed_at"] for o in api.get("/occurrences", home.parent).json() if o["missed_at"]]
    assert missed, "a daily turn is missed when the next one falls due"
    etag = api.get("/chores/available", first).headers["etag"]
    until = int(etag.strip('"').split("-")[3])
    assert until == int(min(datetime.fromisoformat(m) for m in missed).timestamp())
    assert get(api, "/chores/available", first, None, etag).status_code == 304
