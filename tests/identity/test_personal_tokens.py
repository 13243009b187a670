"""Personal access tokens: an automation's `Authorization: Bearer ctpat_...`, shown once, stored
hashed, limited by its scopes and by its member, revocable, with its last use written at most once a
minute. Runs on every backend."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from chores_tracker.identity.models import PersonalAccessToken
from tests.support.api import Api, Person
from tests.support.family import chore, complete


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _make(api: Api, who: Person, *scopes: str, **extra: object) -> dict:
    made = api.post("/tokens", who, json={"name": "Home Assistant", "scopes": list(scopes), **extra})
    assert made.status_code == 201, made.text
    return made.json()


def _row(api: Api, token_id: int) -> PersonalAccessToken:
    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        row = session.get(PersonalAccessToken, token_id)
        assert row is not None
        session.expunge(row)
        return row


def test_the_secret_is_shown_once_and_only_its_hash_is_stored(api: Api):
    parent = api.parent()
    made = _make(api, parent, "read")
    assert made["token"].startswith("ctpat_") and len(made["token"]) > 40
    assert made["scopes"] == ["read"] and made["last_used_at"] is None

    listed = api.get("/tokens", parent).json()
    assert [t["id"] for t in listed] == [made["id"]]
    assert "token" not in listed[0] and listed[0]["name"] == "Home Assistant"
    row = _row(api, made["id"])
    assert row.token_hash == hashlib.sha256(made["token"].encode()).hexdigest()
    assert made["token"] not in (row.token_hash, row.name, row.scopes)

    me = api.client.get("/api/v1/users/me", headers=_bearer(made["token"]))
    assert me.status_code == 200 and me.json()["id"] == parent.id


def test_a_read_token_may_only_read(api: Api):
    parent = api.parent()
    read = _make(api, parent, "read")["token"]
    assert api.client.get("/api/v1/chores", headers=_bearer(read)).status_code == 200
    refused = api.client.post(
        "/api/v1/chores", headers=_bearer(read), json={"title": "Pool", "reward": 1, "assignment_mode": "unassigned"}
    )
    assert refused.status_code == 403, refused.text
    assert (
        api.client.post("/api/v1/tokens", headers=_bearer(read), json={"name": "x", "scopes": ["manage"]}).status_code
        == 403
    )


def test_each_scope_allows_its_calls_and_no_more(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    todo = chore(api, parent, title="Dishes", assignee_ids=[kid.id])
    waiting = chore(api, parent, title="Bins", assignee_ids=[kid.id])
    complete(api, kid, waiting["id"])

    kid_read = _make(api, kid, "read")["token"]
    kid_complete = _make(api, kid, "complete")["token"]
    assert api.client.post(f"/api/v1/chores/{todo['id']}/complete", headers=_bearer(kid_read)).status_code == 403
    assert api.client.post(f"/api/v1/chores/{todo['id']}/complete", headers=_bearer(kid_complete)).status_code == 200

    review = _make(api, parent, "review")["token"]
    complete_only = _make(api, parent, "complete")["token"]
    path = f"/api/v1/chores/{waiting['id']}/approve"
    assert api.client.post(path, headers=_bearer(complete_only), json={}).status_code == 403
    assert api.client.post(path, headers=_bearer(review), json={}).status_code == 200
    # Review is not manage: making a chore still needs it.
    body = {"title": "Pool", "reward": 1, "assignment_mode": "unassigned"}
    assert api.client.post("/api/v1/chores", headers=_bearer(review), json=body).status_code == 403
    manage = _make(api, parent, "manage")["token"]
    assert api.client.post("/api/v1/chores", headers=_bearer(manage), json=body).status_code == 201


def test_a_token_never_grants_more_than_its_members_role(api: Api):
    parent = api.parent()
    kid = api.child(parent)
    manage = _make(api, kid, "manage")["token"]
    body = {"title": "Pool", "reward": 1, "assignment_mode": "unassigned"}
    assert api.client.post("/api/v1/chores", headers=_bearer(manage), json=body).status_code == 403


def test_a_revoked_or_expired_token_is_refused(api: Api):
    parent = api.parent()
    made = _make(api, parent, "read")
    assert api.delete(f"/tokens/{made['id']}", parent).status_code == 204
    assert api.client.get("/api/v1/users/me", headers=_bearer(made["token"])).status_code == 401
    assert api.get("/tokens", parent).json() == []
    assert api.delete(f"/tokens/{made['id']}", parent).status_code == 404

    soon = _make(api, parent, "read", expires_at=(datetime.now(UTC) + timedelta(days=1)).isoformat())
    assert api.client.get("/api/v1/users/me", headers=_bearer(soon["token"])).status_code == 200
    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        past = datetime.now(UTC) - timedelta(minutes=1)
        session.execute(update(PersonalAccessToken).where(PersonalAccessToken.id == soon["id"]).values(expires_at=past))
        session.commit()
    assert api.client.get("/api/v1/users/me", headers=_bearer(soon["token"])).status_code == 401
    assert api.client.get("/api/v1/users/me", headers=_bearer("ctpat_made-up")).status_code == 401


def test_another_members_token_cannot_be_revoked(api: Api):
    parent = api.parent()
    other = api.second_parent(parent)
    made = _make(api, parent, "read")
    assert api.delete(f"/tokens/{made['id']}", other).status_code == 404
    assert api.client.get("/api/v1/users/me", headers=_bearer(made["token"])).status_code == 200


def test_removing_the_member_or_changing_its_password_ends_its_tokens(api: Api):
    owner = api.parent()
    co_parent = api.second_parent(owner)
    kid = api.child(owner)
    other_kid = api.child(owner)
    parents = _make(api, co_parent, "manage")["token"]
    kids = _make(api, kid, "read")["token"]
    other_kids = _make(api, other_kid, "read")["token"]
    for token in (parents, kids, other_kids):
        assert api.client.get("/api/v1/users/me", headers=_bearer(token)).status_code == 200

    assert api.delete(f"/families/members/{co_parent.id}", owner).status_code == 204
    assert api.client.get("/api/v1/users/me", headers=_bearer(parents)).status_code == 401
    assert api.delete(f"/families/members/{kid.id}", owner).status_code == 204
    assert api.client.get("/api/v1/users/me", headers=_bearer(kids)).status_code == 401
    reset = api.post(f"/users/children/{other_kid.id}/reset-password", owner, json="another-good-password")
    assert reset.status_code == 200, reset.text
    assert api.client.get("/api/v1/users/me", headers=_bearer(other_kids)).status_code == 401


def test_last_use_is_written_at_most_once_a_minute(api: Api):
    parent = api.parent()
    made = _make(api, parent, "read")
    assert api.client.get("/api/v1/users/me", headers=_bearer(made["token"])).status_code == 200
    first = _row(api, made["id"]).last_used_at
    assert first is not None
    assert api.get("/tokens", parent).json()[0]["last_used_at"] is not None

    assert api.client.get("/api/v1/users/me", headers=_bearer(made["token"])).status_code == 200
    assert _row(api, made["id"]).last_used_at == first  # within the minute: not written again

    factory = api.client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as session:
        earlier = first - timedelta(minutes=5)
        session.execute(
            update(PersonalAccessToken).where(PersonalAccessToken.id == made["id"]).values(last_used_at=earlier)
        )
        session.commit()
    assert api.client.get("/api/v1/users/me", headers=_bearer(made["token"])).status_code == 200
    assert _row(api, made["id"]).last_used_at > earlier


def test_bad_requests_get_a_clear_4xx(api: Api):
    parent = api.parent()
    assert api.post("/tokens", parent, json={"name": "x", "scopes": ["admin"]}).status_code == 422
    assert api.post("/tokens", parent, json={"name": "x", "scopes": []}).status_code == 422
    assert api.post("/tokens", parent, json={"name": "   ", "scopes": ["read"]}).status_code == 422
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert api.post("/tokens", parent, json={"name": "x", "scopes": ["read"], "expires_at": past}).status_code == 422
    assert (
        api.post(
            "/tokens", parent, json={"name": "x", "scopes": ["read"], "expires_at": "2030-01-01T00:00:00"}
        ).status_code
        == 422
    )
