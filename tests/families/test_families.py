"""Families: created by a parent, joined by a second parent with an invite code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


def test_a_parent_without_a_family_sees_no_family_context(api):
    parent = api.parent(with_family=False)
    context = api.get("/families/context", parent).json()
    assert context == {
        "has_family": False,
        "family": None,
        "role": "no_family",
        "can_invite": False,
        "can_manage": False,
    }


def test_creating_a_family_gives_an_invite_code_that_expires(api):
    parent = api.parent(with_family=False)
    response = api.post("/families/create", parent, json={"name": "The Parkers"})
    assert response.status_code == 201
    family = response.json()
    assert family["name"] == "The Parkers"
    assert len(family["invite_code"]) == 8
    expires = datetime.fromisoformat(family["invite_code_expires_at"])
    assert timedelta(days=6) < expires.replace(tzinfo=expires.tzinfo or UTC) - datetime.now(UTC) <= timedelta(days=7)


def test_a_parent_cannot_create_a_second_family(api):
    parent = api.parent()
    assert api.post("/families/create", parent, json={"name": "Again"}).status_code == 409


def test_a_second_parent_joins_with_the_invite_code(api):
    first = api.parent(family_name="The Parkers")
    code = api.invite_code(first)
    second = api.parent(with_family=False)
    response = api.post("/families/join", second, json={"invite_code": code.lower()})
    assert response.status_code == 200
    body = response.json()
    assert body["success"] is True
    assert body["family_name"] == "The Parkers"
    members = api.get("/families/members", second).json()
    assert sorted(p["id"] for p in members["parents"]) == sorted([first.id, second.id])
    assert members["total_members"] == 2
    assert all(p["joined_at"] for p in members["parents"])


def test_an_unknown_invite_code_answers_404(api):
    parent = api.parent(with_family=False)
    assert api.post("/families/join", parent, json={"invite_code": "NOPE2345"}).status_code == 404


def test_regenerating_the_code_retires_the_old_one(api):
    first = api.parent()
    old = api.invite_code(first)
    response = api.post("/families/invite-code/generate", first, json={"expires_in_days": 2})
    new = response.json()["invite_code"]
    assert new != old
    joiner = api.parent(with_family=False)
    assert api.post("/families/join", joiner, json={"invite_code": old}).status_code == 404
    assert api.post("/families/join", joiner, json={"invite_code": new}).status_code == 200


def test_an_invite_code_lifetime_outside_1_to_365_days_answers_422(api):
    parent = api.parent()
    assert api.post("/families/invite-code/generate", parent, json={"expires_in_days": 0}).status_code == 422
    assert api.post("/families/invite-code/generate", parent, json={"expires_in_days": 1000}).status_code == 422


def test_removing_a_child_takes_it_out_of_the_family_and_ends_its_sessions(api):
    parent = api.parent()
    child = api.child(parent)
    assert api.delete(f"/families/members/{child.id}", parent).status_code == 204
    assert api.get("/families/members", parent).json()["children"] == []
    assert api.get("/users/me", child).status_code == 401


def test_the_last_parent_cannot_be_removed(api):
    parent = api.parent()
    assert api.delete(f"/families/members/{parent.id}", parent).status_code == 409


def test_a_second_parent_can_be_removed(api):
    first = api.parent()
    second = api.second_parent(first)
    assert api.delete(f"/families/members/{second.id}", first).status_code == 204
    assert api.get("/families/context", second).json()["has_family"] is False
