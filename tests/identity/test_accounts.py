"""Parents sign up and log in; parents create children; passwords are rules, never echoed."""

from __future__ import annotations

from tests.support.api import PASSWORD, unique


def test_a_parent_signs_up_with_a_form_and_gets_a_user(api):
    response = api.register("alice", email="alice@example.com")
    assert response.status_code == 201
    body = response.json()
    assert body == {
        "id": body["id"],
        "username": "alice",
        "email": "alice@example.com",
        "is_active": True,
        "is_parent": True,
        "parent_id": None,
        # Additions to the contract's fields: no display name or avatar yet, so the name shown is the username.
        "display_name": None,
        "avatar": None,
        "name": "alice",
    }
    assert "password" not in response.text


def test_sign_up_accepts_the_same_fields_as_json(api):
    response = api.client.post(
        "/api/v1/users/register", json={"username": "bob", "password": PASSWORD, "is_parent": True}
    )
    assert response.status_code == 201
    assert response.json()["username"] == "bob"


def test_a_taken_username_answers_409_whatever_its_case(api):
    assert api.register("carol").status_code == 201
    response = api.register("CAROL")
    assert response.status_code == 409
    assert response.json()["field"] == "username"


def test_a_short_password_answers_422_naming_the_field(api):
    response = api.register("dave", password="short")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "password"]
    assert api.login("dave", "short").status_code == 401  # nothing half-written


def test_a_malformed_username_answers_422(api):
    response = api.register("no spaces allowed")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "username"


def test_a_username_in_full_width_letters_is_the_same_name(api):
    response = api.register("\uff44\uff41\uff4e")  # ｄａｎ, as some keyboards type it  # noqa: RUF003 (the full-width look is the point)
    assert response.status_code == 201
    assert response.json()["username"] == "dan"
    assert api.register("DAN").status_code == 409
    assert api.login(" Dan").status_code == 200


def test_sign_up_cannot_create_a_child(api):
    response = api.register("sneaky", is_parent="false")
    assert response.status_code == 422


def test_login_returns_a_bearer_token_that_identifies_the_user(api):
    api.register("erin")
    response = api.login("erin")
    assert response.status_code == 200
    assert response.json()["token_type"] == "bearer"
    me = api.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {response.json()['access_token']}"})
    assert me.status_code == 200
    assert me.json()["username"] == "erin"


def test_a_wrong_password_and_an_unknown_user_answer_the_same_401(api):
    api.register("frank")
    wrong = api.login("frank", "not-the-password")
    unknown = api.login("nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]


def test_a_missing_or_garbled_token_answers_401(api):
    assert api.client.get("/api/v1/users/me").status_code == 401
    garbled = api.client.get("/api/v1/users/me", headers={"Authorization": "Bearer not.a.token"})
    assert garbled.status_code == 401


def test_a_parent_creates_a_child_in_its_family(api):
    parent = api.parent()
    child = api.child(parent, "kiddo")
    me = api.get("/users/me", child).json()
    assert me["is_parent"] is False
    assert me["parent_id"] == parent.id
    members = api.get("/families/members", parent).json()
    assert [c["username"] for c in members["children"]] == ["kiddo"]


def test_a_parent_without_a_family_gets_one_when_adding_a_child(api):
    parent = api.parent(with_family=False)
    api.child(parent)
    context = api.get("/families/context", parent).json()
    assert context["has_family"] is True
    assert context["role"] == "parent"


def test_a_child_cannot_create_accounts(api):
    parent = api.parent()
    child = api.child(parent)
    response = api.post("/users/", child, json={"username": unique("x"), "password": PASSWORD, "is_parent": False})
    assert response.status_code == 403


def test_resetting_a_childs_password_replaces_it_and_ends_old_sessions(api):
    parent = api.parent()
    child = api.child(parent)
    response = api.post(f"/users/children/{child.id}/reset-password", parent, json="brand-new-password")
    assert response.status_code == 200
    assert api.get("/users/me", child).status_code == 401  # the old token stopped working
    assert api.login(child.username).status_code == 401
    assert api.login(child.username, "brand-new-password").status_code == 200


def test_a_parent_cannot_reset_another_familys_child(api):
    parent = api.parent()
    stranger = api.parent()
    child = api.child(parent)
    response = api.post(f"/users/children/{child.id}/reset-password", stranger, json="brand-new-password")
    assert response.status_code == 404


def _fields(answer) -> list[str]:
    return [error["loc"][-1] for error in answer.json()["detail"]]


def test_a_member_changes_its_own_password_through_the_api(api):
    """The API twin of the account page's password form (POST /account/password)."""
    parent = api.parent()
    kid = api.child(parent)
    for who in (parent, kid):
        wrong = api.post("/users/me/password", who, json={"current_password": "not-it", "new_password": "new-one-42!"})
        assert wrong.status_code == 422 and _fields(wrong) == ["current_password"], wrong.text
        short = api.post("/users/me/password", who, json={"current_password": PASSWORD, "new_password": "x"})
        assert short.status_code == 422 and _fields(short) == ["new_password"], short.text
        changed = api.post(
            "/users/me/password", who, json={"current_password": PASSWORD, "new_password": "a-brand-new-one-42"}
        )
        assert changed.status_code == 200, changed.text
        assert api.get("/users/me", who).status_code == 401  # every session of the old password ended
        fresh = {"Authorization": f"Bearer {changed.json()['access_token']}"}
        assert api.client.get("/api/v1/users/me", headers=fresh).json()["id"] == who.id
        assert api.login(who.username).status_code == 401
        assert api.login(who.username, "a-brand-new-one-42").status_code == 200
