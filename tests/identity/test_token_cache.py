"""The token -> user cache (identity.sessions.TokenCache): a remembered token costs one lookup by
primary key (its family's revision), and still every change that ends or narrows a token's access
is honoured at once, in every process. Two apps on one database stand for two worker processes:
the change is made through one, the token used on the other, whose cache remembered it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.support.api import Api
from tests.support.family import chore, complete
from tests.test_statement_counts import counting_statements


def two_processes(app, database, build_app) -> tuple[Api, Api]:
    other = build_app(database)
    assert other is not app
    return Api(TestClient(app)), Api(TestClient(other))


def test_a_remembered_token_costs_one_lookup_by_primary_key(app, database, build_app):
    here, _ = two_processes(app, database, build_app)
    parent = here.parent()
    assert here.get("/users/me", parent).status_code == 200  # read, then remembered
    with counting_statements(app.state.engine) as seen:
        assert here.get("/users/me", parent).status_code == 200
    assert len(seen) == 1 and "families" in seen[0] and "users" not in seen[0], seen


def test_a_password_reset_elsewhere_ends_the_childs_remembered_token_at_once(app, database, build_app):
    here, there = two_processes(app, database, build_app)
    parent = here.parent()
    kid = here.child(parent)
    assert here.get("/chores/available", kid).status_code == 200
    assert here.get("/chores/available", kid).status_code == 200  # remembered here
    reset = there.post(f"/users/children/{kid.id}/reset-password", parent, json="a-brand-new-password")
    assert reset.status_code == 200, reset.text
    assert here.get("/chores/available", kid).status_code == 401


def test_a_parent_removed_elsewhere_sees_nothing_of_the_family_at_once(app, database, build_app):
    here, there = two_processes(app, database, build_app)
    owner = here.parent()
    other = here.second_parent(owner)
    kid = here.child(owner)
    complete(here, kid, chore(here, owner, assignee_ids=[kid.id])["id"])
    assert len(here.get("/chores/pending-approval", other).json()) == 1
    assert len(here.get("/chores/pending-approval", other).json()) == 1  # remembered here, with the family
    assert there.delete(f"/families/members/{other.id}", owner).status_code == 204
    assert here.get("/chores/pending-approval", other).json() == []


def test_a_logout_elsewhere_ends_the_remembered_token_at_once(app, database, build_app):
    here, there = two_processes(app, database, build_app)
    parent = here.parent()
    assert here.get("/users/me", parent).status_code == 200
    assert here.get("/users/me", parent).status_code == 200
    assert there.post("/users/logout", parent).status_code == 204
    assert here.get("/users/me", parent).status_code == 401


def test_a_user_without_a_family_is_read_every_time(app, database, build_app):
    here, _ = two_processes(app, database, build_app)
    loner = here.parent(with_family=False)
    assert here.get("/users/me", loner).status_code == 200
    with counting_statements(app.state.engine) as seen:
        assert here.get("/users/me", loner).status_code == 200
    assert any("auth_sessions" in statement for statement in seen), seen
