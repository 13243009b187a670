"""Cookie sessions carry the API's identity; every form needs its CSRF token."""

from __future__ import annotations

from tests.support.api import PASSWORD


def _set_cookie_headers(response) -> list[str]:
    headers = [h for r in (*response.history, response) for h in r.headers.get_list("set-cookie")]
    return headers


def test_the_session_cookie_is_http_only_and_same_site_lax(visitor):
    person = visitor()
    person.get("/signup")
    response = person.submit("/signup", {"username": "mila", "password": PASSWORD})
    session = next(h for h in _set_cookie_headers(response) if h.startswith("ct_session="))
    assert "HttpOnly" in session
    assert "SameSite=lax" in session or "SameSite=Lax" in session
    assert "Secure" not in session  # plain http outside production


def test_in_production_the_session_cookie_is_secure(database_factory):
    from fastapi.testclient import TestClient

    from chores_tracker.app import create_app

    app = create_app(database_factory("sqlite").settings(environment="production"))
    with TestClient(app, base_url="https://testserver") as client:
        page = client.get("/signup")
        token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
        response = client.post(
            "/signup",
            data={"csrf_token": token, "username": "secure-sam", "password": PASSWORD},
            follow_redirects=False,
        )
    session = next(h for h in response.headers.get_list("set-cookie") if h.startswith("ct_session="))
    assert "Secure" in session and "HttpOnly" in session


def test_the_session_is_the_same_identity_as_an_api_token(visitor):
    person = visitor()
    person.sign_up("nora")
    token = person.client.cookies.get("ct_session")
    me = person.client.get("/api/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["username"] == "nora"


def test_a_form_without_its_token_changes_nothing(visitor, api):
    person = visitor()
    person.get("/signup")
    response = person.client.post("/signup", data={"username": "olga", "password": PASSWORD})
    assert response.status_code == 403
    assert "reload the page" in response.text
    assert api.login("olga").status_code == 401


def test_a_token_from_another_browser_is_refused(visitor):
    mallory, victim = visitor(), visitor()
    mallory.get("/signup")
    stolen = mallory.csrf_token()
    victim.parent_with_family()
    response = victim.submit("/family/children", {"username": "planted", "password": PASSWORD}, token=stolen)
    assert response.status_code == 403
    assert "planted" not in victim.get("/family").text


def test_a_token_from_before_logging_in_stops_working_after(visitor):
    person = visitor()
    person.get("/login")
    before = person.csrf_token()
    person.parent_with_family()
    response = person.submit("/family/invite-code", token=before)
    assert response.status_code == 403


def test_logging_out_ends_the_session(visitor):
    person = visitor()
    person.parent_with_family()
    response = person.submit("/logout")
    assert response.url.path == "/login"
    assert person.get("/family").url.path == "/login"


def test_a_page_that_needs_a_login_comes_back_after_it(visitor):
    parent = visitor()
    username = parent.parent_with_family()
    parent.submit("/logout")
    response = parent.get("/family")
    assert response.url.path == "/login" and response.url.params["next"] == "/family"
    response = parent.submit("/login?next=/family", {"username": username, "password": PASSWORD})
    assert response.url.path == "/family"


def test_after_login_the_browser_never_leaves_the_site(visitor):
    parent = visitor()
    username = parent.sign_up()
    parent.submit("/logout")
    parent.get("/login")
    response = parent.submit(
        "/login?next=//evil.example/steal", {"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_resetting_a_childs_password_logs_the_child_out(visitor, app):
    parent = visitor()
    parent.parent_with_family()
    kid_name = parent.add_child()
    child = visitor()
    assert child.log_in(kid_name).url.path == "/"
    kid_id = _child_id(app, kid_name)
    parent.get("/family")
    response = parent.submit(f"/family/children/{kid_id}/password", {"password": "a-brand-new-one"})
    assert "password is changed" in response.text
    assert child.get("/").url.path == "/login"
    assert child.log_in(kid_name, "a-brand-new-one").url.path == "/"


def test_changing_ones_own_password_keeps_this_browser_and_logs_out_the_others(visitor):
    here, elsewhere = visitor(), visitor()
    username = here.parent_with_family()
    elsewhere.log_in(username)
    here.get("/account/password")
    response = here.submit("/account/password", {"current_password": PASSWORD, "new_password": "another-long-one"})
    assert response.url.path == "/"
    assert "Your password is changed" in response.text
    assert here.get("/family").url.path == "/family"
    assert elsewhere.get("/family").url.path == "/login"


def _child_id(app, username: str) -> int:
    from chores_tracker.identity.models import User

    with app.state.session_factory() as session:
        return session.query(User).filter_by(username=username).one().id
